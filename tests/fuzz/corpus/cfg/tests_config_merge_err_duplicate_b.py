other = 2
shared = 2
