# Python reference semantics: names bound to one object see its mutations.
a = [1]
b = a
b.append(2)
d = dict(x=[1])
e = d['x']
e += [2]
pipeline = [dict(type='Load'), dict(type='Resize', scale=224)]
test_pipeline = pipeline
resize = pipeline[1]
resize['scale'] = 384
copy_ = list(pipeline)
copy_.append(dict(type='Extra'))
t = 1
u = t
t += 1
s = 'a'
s2 = s
s += 'b'
