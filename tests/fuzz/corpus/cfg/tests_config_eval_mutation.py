# Item assignment, augmented assignment, list and dict methods.
x = [dict(type='A', scale=224), dict(type='B', magnitude_level=7)]
x[0]['scale'] = 160
x[1]['magnitude_level'] *= 0.1
x[-1]['new'] = True
counts = dict(n=1)
counts['n'] += 5
counts['m'] = counts.get('m', 0) - 1
lst = [1, 2, 3]
lst[0] = 'one'
lst *= 2
lst.insert(1, 'ins')
popped = lst.pop()
lst.extend((7, 8))
lst.remove(2)
cfg = dict(a=1, b=dict(c=2))
cfg.update(b=dict(d=3), e=4)
removed = cfg.pop('a')
got = [cfg.get('zz'), cfg.get('e'), list(cfg.keys()), list(cfg.values()), list(cfg.items())[0]]
default = cfg.setdefault('f', [])
default.append(1)
n = 10
n //= 3
n **= 2
n -= 1
f = 1.5
f /= 2
