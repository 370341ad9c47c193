# error: 'while' loop is not supported
while False:
    pass
