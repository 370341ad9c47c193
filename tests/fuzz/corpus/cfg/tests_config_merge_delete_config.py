# _delete_=True replaces wholesale; _delete_=False is removed and the dicts merge; a
# _delete_ in a dict the base lacks stays (mmengine pops it only when the base has the key).
_base_ = 'base.py'
model = dict(backbone=dict(_delete_=True, type='VisionTransformer', arch='b'), head=dict(_delete_=False, k=2))
optimizer = dict(type='AdamW', lr=1e-3, _delete_=True)
new = dict(_delete_=True, x=1)
sched = dict(_delete_=True, policy='cos', nested=dict(_delete_=True, y=2))
