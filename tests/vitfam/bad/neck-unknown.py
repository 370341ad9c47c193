_base_ = ['../tiny/t06-vit-linear.py']
model = dict(neck=dict(_delete_=True, type='LinearNeck', in_channels=32, out_channels=32))
