# error: 3:5: error: name 'img_szie' is not defined
img_size = 224
x = img_szie
