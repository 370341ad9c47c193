# error: 2:5: error: division by zero
x = 1 / 0
