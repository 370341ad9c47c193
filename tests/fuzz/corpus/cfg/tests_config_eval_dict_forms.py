# dict(...) calls and dict displays.
base = dict(type='Resize', scale=224)
kw = dict(a=1, b=2)
copy_plus = dict(base, scale=256, backend='pillow')
from_pairs = dict([('k', 1), ('j', 2), ('k', 3)])
from_tuples = dict(((1, 'one'), (2, 'two')))
unpacked = dict(**base, interpolation='bicubic')
display = {'type': 'CenterCrop', 'crop_size': 224, **kw, 'a': 10}
int_keys = {1: 'x', 2.5: 'y', True: 'z', None: 'n'}
overwrite_keeps_position = dict(x=1, y=2)
overwrite_keeps_position['x'] = 3
nested_call = dict(pipeline=[dict(type='A'), dict(type='B', **kw)])
empty_dict = dict()
from_zip = dict(zip(['p', 'q'], [1, 2]))
