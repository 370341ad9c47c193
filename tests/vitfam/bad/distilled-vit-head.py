# a DistilledVisionTransformer's class-token output is a pair: VisionTransformerClsHead
# cannot take it
_base_ = ['../tiny/t01-distilled.py']
model = dict(head=dict(_delete_=True, type='VisionTransformerClsHead', num_classes=7,
                       in_channels=32))
