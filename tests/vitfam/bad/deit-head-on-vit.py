# DeiTClsHead needs the (cls, dist) pair of a DistilledVisionTransformer
_base_ = ['../tiny/t06-vit-linear.py']
model = dict(head=dict(_delete_=True, type='DeiTClsHead', num_classes=7, in_channels=32))
