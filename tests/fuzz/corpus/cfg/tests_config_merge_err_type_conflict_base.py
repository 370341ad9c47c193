model = dict(neck=None, head=[1])
