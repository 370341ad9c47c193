# error: '%' string formatting is not supported
x = '%d' % 3
