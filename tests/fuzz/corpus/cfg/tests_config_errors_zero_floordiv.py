# error: integer division or modulo by zero
x = 5 // 0
