model = dict(backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='BN')), head=dict(type='A', k=1))
optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
sched = dict(policy='step', step=[30, 60])
