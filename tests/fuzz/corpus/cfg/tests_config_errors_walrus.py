# error: assignment expressions \(:=\) are not supported
x = (y := 1)
