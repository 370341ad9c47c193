# error: 2:5: error: unterminated triple-quoted string
x = '''abc
y = 1
