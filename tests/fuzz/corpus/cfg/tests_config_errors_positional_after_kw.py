# error: positional argument follows keyword argument
x = dict(a=1, 2)
