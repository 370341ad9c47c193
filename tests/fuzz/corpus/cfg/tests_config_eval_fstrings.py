# f-strings and str.format.
meta = 'A chat'
n = 7
lr = 0.1
prompt = f'''{meta} User: <image>
Describe. ASSISTANT:'''
plain = f'n={n} lr={lr} sum={n + 1}'
conv = f'{meta!r} {meta!s}'
specs = [f'{n:03d}', f'{lr:.3f}', f'{n:>4}', f'{n:<4}|', f'{n:^5}|', f'{1234567:,}', f'{0.25:.0%}',
         f'{lr:e}', f'{255:x}', f'{n:+d}', f'{meta:.3}', f'{3.0:g}', f'{1e-5:g}']
braces = f'{{literal}} {n}'
quotes = f"{'inner'} {dict(a=1)['a']}"
nested_spec = f'{lr:.{n - 5}f}'
fmt = ['{} {}'.format('a', 1), '{0}-{0}-{1}'.format('x', 'y'), '{name}/{n:02d}'.format(name='run', n=3),
       '{:>6.2f}|'.format(3.14159), '{{}} {}'.format(1), '{0[a]} {1[1]}'.format(dict(a='A'), [0, 'B'])]
work_dir = './work_dirs/{}'.format('clip')
