# error: new-style \(lazy import\) config
from mmengine.config import read_base
with read_base():
    from .._base_.default_runtime import *
