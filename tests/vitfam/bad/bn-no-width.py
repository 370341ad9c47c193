_base_ = ['../tiny/t06-vit-linear.py']
model = dict(neck=dict(_delete_=True, type='ClsBatchNormNeck', eps=1e-5))
