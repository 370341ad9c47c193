# String methods.
name = 'ViT-Base_p16'
m = [name.upper(), name.lower(), name.replace('_', '-'), name.split('_'), 'a b  c'.split(),
     'a,b,,c'.split(','), 'k=v=w'.split('=', 1), '-'.join(['x', 'y', 'z']), '  pad  '.strip(),
     'xxhixx'.strip('x'), '  l'.lstrip(), 'r  '.rstrip(), name.startswith('ViT'), name.endswith(('p16', 'p32')),
     'hello world'.title(), 'hELLO'.capitalize()]
