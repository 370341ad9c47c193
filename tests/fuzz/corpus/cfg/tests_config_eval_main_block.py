# An `if __name__ == '__main__':` block is parsed, never run (as under mmengine, whose
# exec() globals have no __name__ of their own): anything Python accepts may be in it.
from mmpretrain.models import build_classifier

model = dict(type='ImageClassifier', backbone=dict(type='RepLKNet', out_indices=(3, )))

if __name__ == '__main__':
    model = build_classifier(model)
    model.eval()
    print('------------------- training-time model -------------')
    for i in model.state_dict().keys():
        print(i)
    while True:
        break
    def helper(x, *args, y=1, **kw):
        return lambda z: z + 1
    class Foo(object):
        pass
    try:
        import torch
    except ImportError:
        pass
    with open('x') as f:
        del f
    model = None
