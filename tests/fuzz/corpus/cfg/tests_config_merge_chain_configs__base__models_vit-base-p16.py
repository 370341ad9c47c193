model = dict(type='ImageClassifier', backbone=dict(type='VisionTransformer', arch='b', patch_size=16))
