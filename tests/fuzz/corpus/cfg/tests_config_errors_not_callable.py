# error: 'int' object is not callable
x = 3(1)
