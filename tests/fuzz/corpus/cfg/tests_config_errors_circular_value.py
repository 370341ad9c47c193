# error: 2:5: error: 'a' is nested too deeply \(does it contain itself\?\)
a = []
a.append(a)
