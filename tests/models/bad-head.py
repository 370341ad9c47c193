_base_ = ['./deit-tiny.py']
model = dict(head=dict(_delete_=True, type='ArcFaceClsHead', num_classes=10, in_channels=192))
