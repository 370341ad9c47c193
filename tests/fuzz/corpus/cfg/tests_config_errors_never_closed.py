# error: 2:9: error: '\(' was never closed
x = dict(a=1,
         b=2
