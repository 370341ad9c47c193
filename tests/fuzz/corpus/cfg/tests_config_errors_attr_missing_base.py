# error: 'ConfigDict' object has no attribute 'nope'
_base_ = []
x = _base_.nope
