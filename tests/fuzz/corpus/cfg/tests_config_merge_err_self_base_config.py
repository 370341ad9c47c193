# error: circular _base_ inheritance
_base_ = './config.py'
