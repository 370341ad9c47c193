# error: slice assignment is not supported
x = [1, 2]
x[0:1] = [3]
