# error: 3:5: error: KeyError: 'b'
d = dict(a=1)
x = d['b']
