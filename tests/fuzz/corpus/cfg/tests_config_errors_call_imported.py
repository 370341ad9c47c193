# error: cannot call 'mmpretrain.models.build_classifier'
from mmpretrain.models import build_classifier
m = build_classifier(dict())
