a = dict(x=1)
lst = [1, 2]
