# error: memory_loop\.py:2:24: error: the config takes more than 1024 MiB to evaluate
x = [('a' * 4000000) + str(i) for i in range(300)]
