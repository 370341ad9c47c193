# sorted(..., reverse=True) and list.sort(reverse=True) are stable: equal elements keep their
# order (CPython reverses, sorts, reverses back); sorting then reversing would flip them.
a = sorted([1, 1.0, True], reverse=True)
b = sorted([2, 1.0, 1, True, 2.0, 0], reverse=True)
c = [1.0, 2, True, 1, 2.0]
c.sort(reverse=True)
d = sorted([1, 1.0, True])
e = sorted(['b', 'a', 'c'], reverse=True)
f = sorted([False, 0, 0.0], reverse=True)
g = sorted((3, 1.0, 1, 2), reverse=1)
h = [0.0, False, 0]
h.sort(reverse=False)
