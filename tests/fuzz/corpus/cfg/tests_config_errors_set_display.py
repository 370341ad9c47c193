# error: sets are not supported
x = {1, 2}
