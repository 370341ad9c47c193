# a _base_ value substituted at a million places
_base_ = ["a.py"]
d = [{{_base_.test_pipeline}}] * 1000000
