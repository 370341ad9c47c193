# error: 2:1: error: function definition is not supported
def f():
    return 1
