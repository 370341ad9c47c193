# error: starred assignment is not supported
a, *b = [1, 2, 3]
