_base_ = ['../tiny/t06-vit-linear.py']
model = dict(head=dict(_delete_=True, type='MultiLabelLinearClsHead', num_classes=7,
                       in_channels=32))
