# String literal forms.
implicit = 'abc' "def" \
    'ghi'
paren_concat = ('data/'
                'imagenet/'  # a comment between parts
                "train")
triple = '''line1
line2'''
triple_dq = """a "quoted" word"""
escapes = 'tab\there\nnl \\ back \x41 \u00e9 \101 \' "'
unknown_escape = '\d'
raw = r'\d+\n'
non_ascii = 'ü 中文 — ok'
empty = ''
bytes_in_str = 'caf\xe9'
