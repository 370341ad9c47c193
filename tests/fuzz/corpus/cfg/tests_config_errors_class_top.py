# error: class definition is not supported
class A:
    x = 1
