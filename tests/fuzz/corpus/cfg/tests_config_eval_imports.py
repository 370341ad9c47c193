# Imports: modules and functions never appear in the resolved config (mmengine drops them).
# (`from mmpretrain... import X` is in main_block.py.)
_base_ = []
import copy
from copy import deepcopy
from os import path
import os.path as osp
base = dict(type='A', pipeline=[dict(k=1)])
deep = copy.deepcopy(base)
deep['pipeline'][0]['k'] = 2
shallow = copy.copy(base)
shallow['type'] = 'B'
deep2 = deepcopy([base])
