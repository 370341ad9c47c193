# error: invalid literal for int\(\) with base 10: 'abc'
x = int('abc')
