# error: closing '\)' does not match '\[' opened at line 2
x = dict(a=[1, 2)
