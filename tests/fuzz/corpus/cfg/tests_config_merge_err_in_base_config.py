# error: base\.py:2:9: error: name 'undefined_thing' is not defined
_base_ = 'base.py'
