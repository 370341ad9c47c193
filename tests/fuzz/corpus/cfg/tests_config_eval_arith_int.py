# int arithmetic: Python semantics (true division gives float, // and % floor).
add = 3 + 4
sub = 3 - 10
mul = 6 * 7
true_div = 7 / 2
true_div_exact = 6 / 3
floordiv = [7 // 2, -7 // 2, 7 // -2, -7 // -2]
mod = [7 % 3, -7 % 3, 7 % -3, -7 % -3]
power = [2 ** 10, 2 ** -1, (-2) ** 3, -2 ** 2, 2 ** 3 ** 2]
precedence = 1 + 2 * 3 - 4 / 2
unary = [-(-5), +5, -True]
bools = [True + True, True * 3, False - 1]
big = 2 ** 62 + (2 ** 62 - 1)
lr = 0.001 * 1024 / 256
batch = 64 * 8
bits = [5 & 3, 5 | 3, 5 ^ 3, 1 << 10, 1024 >> 3, ~5]
