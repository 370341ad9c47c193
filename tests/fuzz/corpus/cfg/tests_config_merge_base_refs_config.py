# {{_base_.x}} substitution (a placeholder string, replaced after the file ran, so it sees
# mutations of _base_ made later in the file) and _base_.x / _base_['x'] references.
_base_ = './base.py'
# A commented reference is substituted too, harmlessly: {{_base_.size}}
size_ref = {{_base_.size}}
train_pipeline = [dict(type='RandAugment', policies={{_base_.policies}}), {{ _base_.model.head }}]
bgr_mean = _base_.data_preprocessor['mean'][::-1]
backbone = _base_.model.backbone
arch = _base_['model']['backbone'].arch
batch = _base_.train_dataloader.batch_size * 2
_base_.size = 384
model = dict(head=dict(num_classes=10))
