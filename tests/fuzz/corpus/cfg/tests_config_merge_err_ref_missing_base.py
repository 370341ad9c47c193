model = dict(backbone=dict(arch='b'))
