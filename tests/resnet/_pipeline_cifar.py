# CIFAR-10 test pipeline: mmpretrain v1.2.0 configs/_base_/datasets/cifar10_bs16.py (no
# resize, no crop: 32x32 images, already RGB).
data_preprocessor = dict(
    num_classes=10,
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False)
test_pipeline = [dict(type='PackInputs')]
test_dataloader = dict(batch_size=16, dataset=dict(type='CIFAR10', pipeline=test_pipeline))
