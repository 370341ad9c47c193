# error: integer literal 9223372036854775808 does not fit in 64 bits
x = 9223372036854775808
