# error: 2:7: error: invalid character '\$'
x = 1 $ 2
