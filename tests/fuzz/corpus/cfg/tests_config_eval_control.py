# Conditional statements and expressions, comparisons, boolean operators.
arch = 'b'
if arch == 'b':
    dims = 768
elif arch == 'l':
    dims = 1024
else:
    dims = 0
if dims > 1000: big = True
else: big = False
heads = 12 if dims == 768 else 16
chain = [1 < 2 < 3, 1 < 3 < 2, 2 == 2.0, 'a' < 'b', [1, 2] < [1, 3], (1, 2) == (1, 2), 1 != 1]
member = ['b' in ['a', 'b'], 'x' not in 'xyz', 'k' in dict(k=1), None is None, arch is not None]
boolops = [0 or 'default', 'set' or 'default', 1 and 2, 0 and 2, not 0, not [1], None or [] or 3]
