# error: 'return' outside function is not supported
return 1
