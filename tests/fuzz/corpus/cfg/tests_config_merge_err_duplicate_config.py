# error: duplicate key 'shared' in sibling _base_ files: defined by .*a\.py and by .*b\.py
_base_ = ['a.py', 'b.py']
