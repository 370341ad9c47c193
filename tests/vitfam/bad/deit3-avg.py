# DeiT3 builds no backbone ln2: avg_featmap fails upstream
_base_ = ['../tiny/t04-deit3.py']
model = dict(backbone=dict(out_type='avg_featmap'),
             head=dict(_delete_=True, type='LinearClsHead', num_classes=7, in_channels=32))
