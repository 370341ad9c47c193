# error: unsupported format string passed to tuple.__format__
x = f'{(3,):e}'
