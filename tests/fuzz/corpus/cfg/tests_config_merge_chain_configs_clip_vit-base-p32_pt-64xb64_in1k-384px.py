# a base of a base: each _base_ path is relative to the file that names it
_base_ = 'vit-base-p16_pt-64xb64_in1k.py'
model = dict(backbone=dict(patch_size=32, img_size=224))
crop = 384
