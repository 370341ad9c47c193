# error: 2:5: error: invalid syntax: expected an expression
x = 
