# error: float modulo by zero
x = 1.0 % 0
