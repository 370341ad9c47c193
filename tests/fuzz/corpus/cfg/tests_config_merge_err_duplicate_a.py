model = dict(x=1)
shared = 1
