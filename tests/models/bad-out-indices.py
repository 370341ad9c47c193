_base_ = ['./deit-tiny.py']
model = dict(backbone=dict(out_indices=[3, 11]))
