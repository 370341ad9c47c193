train_dataloader = dict(batch_size=32, dataset=dict(type='ImageNet', pipeline=[dict(type='Load')]))
test_pipeline = [dict(type='Load'), dict(type='ResizeEdge', scale=256), dict(type='CenterCrop', crop_size=224)]
