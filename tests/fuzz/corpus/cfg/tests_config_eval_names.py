# Names: assigned earlier, reassigned (first position kept, last value wins), chained,
# tuple unpacking; private and dunder names.
img_size = 224
crop = img_size
img_size = 384
a = b = [1]
x, y = 1, 2
(p, q), r = (3, 4), 5
_private = 'kept'
__dunder = 'dropped'
_base_like = 'kept too'
