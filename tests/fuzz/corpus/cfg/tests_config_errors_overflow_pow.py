# error: integer overflow
x = 2 ** 63
