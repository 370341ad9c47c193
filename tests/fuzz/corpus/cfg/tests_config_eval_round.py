# round() rounds half to even, like Python 3.
halves = [round(0.5), round(1.5), round(2.5), round(-0.5), round(-1.5), round(3.5)]
to_int = [round(224 * 1.14), round(256 / 224 * 224), round(2.675), round(-2.7)]
digits = [round(2.675, 2), round(0.125, 2), round(0.375, 2), round(1.005, 2), round(3.14159, 3)]
int_digits = [round(1234, -2), round(1250, -2), round(1350, -2), round(7, 2), round(-1250, -2)]
neg_digits = round(1234.5, -2)
pad_val = [round(x) for x in [123.675, 116.28, 103.53]]
