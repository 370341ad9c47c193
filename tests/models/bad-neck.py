_base_ = ['./deit-tiny.py']
model = dict(neck=dict(_delete_=True, type='LinearNeck', in_channels=192, out_channels=192))
