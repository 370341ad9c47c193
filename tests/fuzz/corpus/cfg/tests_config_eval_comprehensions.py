# List and dict comprehensions; the loop variable does not leak (Python 3).
mean = [123.675, 116.28, 103.53]
pad = [round(x) for x in mean[::-1]]
evens = [i for i in range(10) if i % 2 == 0 if i > 2]
pairs = [(i, j) for i in range(3) for j in range(i)]
nested = [[c for c in w] for w in ['ab', 'c']]
squares = {k: k * k for k in range(4)}
names = {f'layer{i}': dict(lr_mult=0.1 * i) for i in [1, 2]}
unpack = [a + b for a, b in zip([1, 2], [10, 20])]
over_dict = [k for k in dict(x=1, y=2)]
genexp = tuple(i * 2 for i in (1, 2))
x = 'outer'
shadow = [x for x in range(2)]
