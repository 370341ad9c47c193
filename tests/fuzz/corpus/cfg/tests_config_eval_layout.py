# Comments, backslash and bracket continuation, semicolons, blank lines, tabs, CRLF-free.
a = 1 + \
    2  # trailing comment
b = [1,
     # comment inside brackets
     2,

     3]
c = 1; d = 2;
e = dict(
    x=(1 +
       2),
)
if True:
	f = 'tab-indented'
