# _base_ as one string. A child list replaces a base dict; a child dict over a base list
# needs _delete_=True. Predefined variables are substituted textually.
_base_ = 'base.py'
a = [3]
lst = dict(_delete_=True, y=2)
name = '{{ fileBasenameNoExtension }}'
ext = '{{fileExtname}}'
