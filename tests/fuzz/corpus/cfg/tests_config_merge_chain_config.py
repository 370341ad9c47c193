_base_ = ['configs/clip/vit-base-p32_pt-64xb64_in1k-384px.py']
model = dict(head=dict(num_classes=1000))
