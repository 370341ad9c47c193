# Annotated assignments bind (the annotation is not evaluated by mmcc); everything under
# `if __name__ == '__main__':` is only parsed: decorators, async, await, yield, global...
x: int = 3
y: list
if __name__ == '__main__':
    @dec
    @dec2(1)
    def f(a: int = 1, *args, b, **kw) -> None:
        global x
        yield x
    async def g():
        await h()
    class C(Base, metaclass=M):
        z: int = 1
    try:
        import torch
    except (ImportError, OSError) as e:
        raise RuntimeError('x') from e
    finally:
        pass
    assert x, 'message'
    print(f'{x!r:>{y}}', file=sys.stderr)
    lst[1:2] = [lambda q=d[1:2]: q, *rest]
