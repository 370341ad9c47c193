_base_ = ['./deit-tiny.py']
model = dict(backbone=dict(use_abs_pos_emb=False))
