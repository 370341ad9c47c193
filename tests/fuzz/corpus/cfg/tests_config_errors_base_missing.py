# error: 2:11: error: _base_ file 'nope.py' does not exist
_base_ = ['nope.py']
