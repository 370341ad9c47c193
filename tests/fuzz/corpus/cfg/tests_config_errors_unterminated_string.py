# error: 2:5: error: unterminated string
x = 'abc
