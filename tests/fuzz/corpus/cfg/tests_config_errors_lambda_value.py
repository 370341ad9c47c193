# error: 2:5: error: lambda is not supported
f = lambda x: x + 1
