# CLIP ViT-B/16 fine-tuned on ImageNet-1k, evaluated at 448x448
# (weights converted from timm; see metafile.yml).
_base_ = [
    '../_base_/models/vit-base-p16.py',
    '../_base_/datasets/imagenet_bs64_clip_448.py',
    '../_base_/schedules/imagenet_bs4096_AdamW.py',
    '../_base_/default_runtime.py',
]

# CLIP normalises the tokens before the first layer (LayerNorm "pre_norm"); its patch
# embedding has no bias. The backbone is built for 224x224; the position embedding is
# resized to the input grid at run time.
model = dict(backbone=dict(pre_norm=True))

optim_wrapper = dict(clip_grad=dict(max_norm=1.0))
