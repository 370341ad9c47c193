_base_ = ['./deit-tiny.py']
model = dict(head=dict(in_channels=768))
