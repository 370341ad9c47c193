# inf and nan print as Python's json module writes them.
values = [float('inf'), float('-inf'), float('nan'), 1e308 * 10]
magnitude_std = 'inf'
