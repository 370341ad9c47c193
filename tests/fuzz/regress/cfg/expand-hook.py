# storing a shared list into a ConfigDict (mmengine ConfigDict._hook) copies it
_base_ = ["a.py"]
a = [1] * 1000
_base_.model.x = [[a] * 1000] * 1000
