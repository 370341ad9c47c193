# a list repeated inside itself: small to build, 10^9 values written out (the copy for
# _base_ substitution and the JSON used to run out of time and memory)
a = [1] * 1000
b = [a] * 1000
c = [b] * 1000
