# 1.x: pre-logits hidden layer (hidden_dim + Tanh), layer scale, no class token with an
# avg_featmap output, model-level data_preprocessor, crop given as (w, h).
model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(mean=[127.5, 127.5, 127.5], std=[127.5, 127.5, 127.5]),
    backbone=dict(
        type='mmpretrain.VisionTransformer',
        arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
        img_size=32,
        patch_size=4,
        out_type='avg_featmap',
        with_cls_token=False,
        layer_scale_init_value=0.1),
    head=dict(type='VisionTransformerClsHead', num_classes=5, in_channels=32, hidden_dim=48))
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=40, backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=(40, 32)),
    dict(type='PackInputs'),
]))
