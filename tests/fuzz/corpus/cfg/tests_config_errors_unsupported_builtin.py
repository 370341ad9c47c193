# error: builtin 'map' is not supported
x = list(map(str, [1]))
