# error: config.py:4:19: error: 'neck' is a dict in this config but a NoneType in its _base_
_base_ = 'base.py'
# mmengine: "neck=... in child config cannot inherit from base because neck is a dict"
model = dict(neck=dict(type='GlobalAveragePooling'))
