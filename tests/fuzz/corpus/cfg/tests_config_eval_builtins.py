# The builtins mmpretrain configs use.
xs = [3, 1, 2]
lens = [len(xs), len('中文ab'), len(dict(a=1, b=2)), len((1,))]
mins = [min(xs), min(4, 2, 8), max(xs), max(1.5, 2), min([], default=-1), max('abc')]
absolutes = [abs(-3), abs(-2.5), abs(True)]
sums = [sum(xs), sum([0.5, 0.25]), sum([[1], [2]], []), sum(x * 2 for x in xs)]
ranges = [list(range(3)), list(range(1, 7, 2)), list(range(5, 0, -2)), list(range(0))]
zipped = list(zip([1, 2, 3], 'ab'))
enumerated = [list(enumerate('ab')), list(enumerate(['x'], start=5))]
sorted_ = [sorted(xs), sorted(xs, reverse=True), sorted(['b', 'a', 'C'])]
kinds = [isinstance(1, int), isinstance(True, int), isinstance(1.0, int),
         isinstance('s', (list, str)), isinstance(dict(), dict), isinstance((), tuple)]
conversions = [str(1), str(2.50), str(None), str([1, 'a']), str(dict(a=(1,))), int(3.9), int(-3.9),
               int('42'), int(' 7 '), float(3), float('1e-4'), float('-inf'), bool(0), bool('x')]
sequences = [list('ab'), tuple([1, 2]), list((1, 2)), list(dict(k=1, j=2)), tuple()]
any_all = [any([0, '', None]), any([0, 1]), all([]), all([1, 0])]
reversed_ = list(reversed([1, 2, 3]))
reprs = [repr('it\'s'), repr(1.0), repr((1,))]
