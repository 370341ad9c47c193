# error: environment variable 'MMCC_TEST_SURELY_UNSET' is not set
x = '{{$MMCC_TEST_SURELY_UNSET:}}'
