dataset_type = 'ImageNet'
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', size=(256, -1))]
data = dict(samples_per_gpu=64, test=dict(type=dataset_type, pipeline=test_pipeline))
