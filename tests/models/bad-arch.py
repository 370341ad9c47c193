_base_ = ['./deit-tiny.py']
model = dict(backbone=dict(arch='xl'))
