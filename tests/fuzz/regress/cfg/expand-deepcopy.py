# copy.deepcopy of a shared list used to expand it without bound
import copy
a = [1] * 1000
b = [a] * 1000
c = copy.deepcopy([b] * 9)
