# error: integer overflow
x = 3037000500 * 3037000500
