"""check_op_functions.py MODEL_C: the shape of a generated model.c's forward pass
(compiler/gen_emit.c). Each op outside a layer loop is a function of its own,
`static MM_OP void op<i>_<kind>(...)` (MM_OP: noinline; one op per function keeps gcc's time
linear in the model's size), holding one call into runtime/mmrt_ops.h; forward_chunk calls
every such function exactly once, in increasing <i>, and calls no mmrt_op_* itself outside
a `for (int l ...)` layer loop. Exit 0, or 1 with what is wrong."""
import re
import sys


def function_body(src, start):
    """The text between the brace that opens at or after START and its match."""
    i = src.index('{', start)
    depth = 0
    for j in range(i, len(src)):
        if src[j] == '{':
            depth += 1
        elif src[j] == '}':
            depth -= 1
            if depth == 0:
                return src[i + 1:j]
    raise ValueError('unbalanced braces')


def main(path):
    src = open(path).read()
    why = []
    if not re.search(r'#define MM_OP __attribute__\(\(noinline\)\)', src):
        why.append('MM_OP is not defined as noinline')
    defs = [(int(m.group(1)), m.group(2), m.start())
            for m in re.finditer(r'^static MM_OP void op(\d+)_([a-z0-9_]+)\(', src, re.M)]
    if not defs:
        why.append('no op function')
    for i, kind, at in defs:
        calls = re.findall(r'\bmmrt_op_\w+\(', function_body(src, at))
        if len(calls) != 1:
            why.append('op%d_%s makes %d mmrt_op_ calls, not 1' % (i, kind, len(calls)))
        elif not calls[0].startswith('mmrt_op_' + kind):
            why.append('op%d_%s calls %s' % (i, kind, calls[0]))
    m = re.search(r'^static void forward_chunk\(', src, re.M)
    if not m:
        why.append('no forward_chunk')
    else:
        body = function_body(src, m.start())
        # the layer loop's body (its ops inline) set aside
        outside = body
        loop = re.search(r'for \(int l = 0;', outside)
        while loop:
            inner = function_body(outside, loop.start())
            end = outside.index(inner, loop.start()) + len(inner) + 1
            outside = outside[:loop.start()] + outside[end:]
            loop = re.search(r'for \(int l = 0;', outside)
        own = re.findall(r'\bmmrt_op_\w+\(', outside)
        if own:
            why.append('forward_chunk calls %s outside a layer loop' % ', '.join(own[:3]))
        called = [int(c) for c in re.findall(r'\bop(\d+)_[a-z0-9_]+\(', outside)]
        defined = [i for i, _, _ in defs]
        if called != sorted(defined) or defined != sorted(defined):
            why.append('forward_chunk calls ops %s, model.c defines %s' % (called[:12], defined[:12]))
    if why:
        print('; '.join(why[:5]))
        return 1
    print('%d op functions, called in order' % len(defs))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
