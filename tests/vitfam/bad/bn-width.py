_base_ = ['../tiny/t07-vit-bn.py']
model = dict(neck=dict(input_features=64))
