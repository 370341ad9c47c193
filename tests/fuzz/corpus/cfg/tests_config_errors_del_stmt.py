# error: 3:1: error: 'del' statement is not supported
x = 1
del x
