# error: '<' not supported between instances of 'int' and 'str'
x = 1 < 'a'
