# A container holding itself prints like Python's repr ([...]); it lives only in the
# comprehension's scope, so the resolved config stays finite.
s = [str(a) for a in [[]] if a.append(a) is None]
d = [repr(x) for x in [dict()] if x.update(me=x) is None]
