
g= zip(5554%5555*'met.rangeb0pbit.2')
