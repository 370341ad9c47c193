_base_ = '../config.py'
x = 1
