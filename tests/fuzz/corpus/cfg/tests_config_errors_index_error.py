# error: list index out of range
x = [1, 2][3]
