# error: 3:1: error: optim_wrapper\.optimizer\.type is the object 'torch\.optim\.SGD', not a config value
# (a new-style config: mmengine would need torch to resolve it lazily)
from torch.optim import SGD
optim_wrapper = dict(optimizer=dict(type=SGD, lr=0.1))
