"""A small mmengine-style config loader for the test references (mmengine is not
installed): executes a plain-Python config file, loads its `_base_` files (paths relative to
the including file, in order), and merges the child over the bases as mmengine does (dicts
recursively, everything else replaces, `_delete_=True` replaces a dict wholesale). Enough for
the configs the tests use; `{{_base_.x}}` substitution and `_base_.x` references are not
supported (an error says so)."""
import copy
import os
import types


def _merge(base, child):
    out = copy.deepcopy(base)
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and not v.get('_delete_'):
            out[k] = _merge(out[k], v)
        else:
            if isinstance(v, dict):
                v = {kk: vv for kk, vv in v.items() if kk != '_delete_'}
            out[k] = copy.deepcopy(v)
    return out


def _strip_delete(d):
    if isinstance(d, dict):
        return {k: _strip_delete(v) for k, v in d.items() if k != '_delete_'}
    if isinstance(d, list):
        return [_strip_delete(v) for v in d]
    if isinstance(d, tuple):
        return tuple(_strip_delete(v) for v in d)
    return d


def load_config(path):
    path = os.path.abspath(path)
    with open(path) as f:
        src = f.read()
    if '{{' in src and '_base_.' in src:
        raise SystemExit(f'{path}: {{{{_base_...}}}} substitution is not supported by mmcfg_mini')
    ns = {}
    exec(compile(src, path, 'exec'), ns)
    bases = ns.get('_base_', [])
    if isinstance(bases, str):
        bases = [bases]
    merged = {}
    for b in bases:
        merged = _merge(merged, load_config(os.path.join(os.path.dirname(path), b)))
    own = {k: v for k, v in ns.items()
           if not k.startswith('__') and k != '_base_'
           and not isinstance(v, (types.ModuleType, types.FunctionType, type))}
    return _strip_delete(_merge(merged, own))
