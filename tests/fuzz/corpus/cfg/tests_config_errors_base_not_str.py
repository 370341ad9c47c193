# error: _base_ must be a string or a list of strings
_base_ = 3
