# Subscripts and slices.
mean = [123.675, 116.28, 103.53]
d = dict(k=dict(inner=[10, 20, 30]))
t = (1, 2, 3, 4, 5)
s = 'abcdef'
items = [d['k']['inner'][0], d['k']['inner'][-1], mean[1], t[-2], s[0], s[-1], '中文'[1]]
slices = [mean[::-1], t[1:], t[:-1], t[1:5:2], t[::-2], t[10:], t[-100:2], s[1:3], s[::-1], s[:]]
bgr = mean[::-1]
