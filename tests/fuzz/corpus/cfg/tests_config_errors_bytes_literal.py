# error: bytes literals are not supported
x = b'abc'
