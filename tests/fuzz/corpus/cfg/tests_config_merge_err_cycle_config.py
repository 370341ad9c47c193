# error: circular _base_ inheritance: .*config\.py -> .*sub/child\.py -> .*config\.py
_base_ = 'sub/child.py'
