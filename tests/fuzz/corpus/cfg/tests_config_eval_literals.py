# Literals of every kind, as mmpretrain configs write them.
an_int = 1000
neg = -3
hex_oct_bin = [0x1F, 0o17, 0b101, 1_000_000]
floats = [1e-4, .5, 255.0, 1e-06, 5e-05, 0.1, 2.5e3, 1e16, 1e22, 1.5e300, 123456789.125, 1.]
neg_zero = -0.0
none_v = None
flags = (True, False)
one_tuple = (3, )
one_tuple_bare = 3,
empty = ((), [], {}, dict())
nested = dict(a=[1, (2, 3), dict(b=None)], c={'d': 'e'})
trailing = [1, 2, 3,]
