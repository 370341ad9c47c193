# error: 3:1: error: 'for' loop is not supported
x = []
for i in range(3):
    x.append(i)
