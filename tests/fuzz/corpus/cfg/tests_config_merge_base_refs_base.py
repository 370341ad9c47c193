policies = [dict(type='AutoContrast'), dict(type='Equalize')]
data_preprocessor = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])
train_dataloader = dict(batch_size=32, dataset=dict(type='ImageNet', pipeline=[dict(type='Load')]))
model = dict(backbone=dict(type='ViT', arch='b'), head=dict(num_classes=1000))
size = 224
