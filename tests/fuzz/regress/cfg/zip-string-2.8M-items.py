
g= g= zip(555555*'met.2')
