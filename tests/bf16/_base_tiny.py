# Shared pieces of the bf16 test configs (mmpretrain 1.x layout), as tests/codegen's.
data_preprocessor = dict(
    num_classes=10,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)
