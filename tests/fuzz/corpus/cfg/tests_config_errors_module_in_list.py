# error: x\[1\] is the module 'copy'
import copy
x = [1, copy]
