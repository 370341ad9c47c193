# featmap output straight into a head (no GlobalAveragePooling neck).
_base_ = ['./deit-tiny.py']
model = dict(backbone=dict(out_type='featmap'))
