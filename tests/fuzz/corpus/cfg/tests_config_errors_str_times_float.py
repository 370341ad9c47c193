# error: unsupported operand type\(s\) for \*: 'str' and 'float'
x = 'a' * 1.5
