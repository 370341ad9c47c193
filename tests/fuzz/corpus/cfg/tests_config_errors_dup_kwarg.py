# error: keyword argument repeated: a
x = dict(a=1, a=2)
