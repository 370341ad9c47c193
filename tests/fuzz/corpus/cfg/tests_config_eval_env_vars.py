# {{$VAR:default}} environment substitution (the suite runs with these variables unset).
data_root = '{{$MMCC_TEST_ENV_ROOT:data/imagenet}}/train'
num_classes = {{'$MMCC_TEST_ENV_CLASSES:1000'}}
