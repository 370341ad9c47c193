# error: complex numbers are not supported
x = 1j
