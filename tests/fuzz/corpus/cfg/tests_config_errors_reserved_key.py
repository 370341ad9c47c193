# error: 'filename' is reserved for config file
filename = 'x.py'
