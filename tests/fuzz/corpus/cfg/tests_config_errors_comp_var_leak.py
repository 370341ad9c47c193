# error: 3:5: error: name 'i' is not defined
y = [i for i in range(3)]
z = i
