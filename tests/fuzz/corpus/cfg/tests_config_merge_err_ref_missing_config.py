# error: \{\{_base_\.model\.neck\}\}: no such key in the _base_ files
_base_ = 'base.py'
neck = {{_base_.model.neck}}
