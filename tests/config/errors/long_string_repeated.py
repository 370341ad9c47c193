# error: long_string_repeated\.py: error: resolved config too large: more than 8388608 values when written out
s = 'a' * 4000000
x = [s] * 40000
