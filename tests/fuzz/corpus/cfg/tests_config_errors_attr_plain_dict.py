# error: 'dict' object has no attribute 'a'
d = dict(a=1)
x = d.a
