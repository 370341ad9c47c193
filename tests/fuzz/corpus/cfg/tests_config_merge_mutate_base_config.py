# Mutating _base_ (as mmpretrain's mobileone and swin-v2 configs do). A list stored into a
# ConfigDict is copied (mmengine 0.10's ConfigDict._hook; 0.3 shared it), so the later
# mutation of train_pipeline reaches the top-level name but not _base_'s copy.
_base_ = 'base.py'
train_pipeline = [dict(type='Load'), dict(type='RandomResizedCrop', scale=224, magnitude_level=7)]
_base_.train_dataloader.dataset.pipeline = train_pipeline
train_pipeline[1]['scale'] = 160
train_pipeline[1]['magnitude_level'] *= 0.1
_base_['test_pipeline'][1]['scale'] = 219
_base_['test_pipeline'][2]['crop_size'] = 192
