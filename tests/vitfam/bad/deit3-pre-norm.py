# DeiT3 has no pre_norm argument
_base_ = ['../tiny/t04-deit3.py']
model = dict(backbone=dict(pre_norm=True))
