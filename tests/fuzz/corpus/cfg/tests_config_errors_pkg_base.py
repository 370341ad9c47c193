# error: _base_ 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py' is a config of the package 'mmdet'
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
