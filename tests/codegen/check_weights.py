"""Checks what compiler/weights*.c hand to code generation, through tests/codegen/weights_dump.

    check_weights.py ckpt CONFIG CKPT DUMP H W NAME
        every tensor equals the reference's (vit_ref.load_state: mmengine unwrapping,
        _prepare_pos_embed, float32 copy) bit for bit; backbone.pos_embed additionally resized
        to the H x W input grid as every forward does. Run with ATEN_CPU_CAPABILITY=default:
        torch's portable bicubic kernel, which mmcc reproduces exactly.
    check_weights.py random CONFIG DUMP H W NAME
        synthetic weights: all finite, LayerNorm weights ~1, pos_embed made for the input
        grid, and a forward through the reference (every layer) gives finite, non-trivial
        outputs that differ between images.
    check_weights.py topth DUMP OUT.pth
        writes the dumped tensors as a checkpoint (pos_embed stays on the input grid: use
        vit_ref.py --direct-pos with it), to compare `mmcc build --weights random:SEED`.
Prints ok/FAIL lines (ckpt: 2, random: 1); exit status 1 when any failed."""
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))
import vit_ref  # noqa: E402


def read_dump(path):
    out = {}
    with open(path, 'rb') as f:
        data = f.read()
    i = 0
    while i < len(data):
        (n,) = struct.unpack_from('<I', data, i)
        i += 4
        name = data[i:i + n].decode()
        i += n
        (nd,) = struct.unpack_from('<I', data, i)
        i += 4
        shape = struct.unpack_from(f'<{nd}q', data, i)
        i += 8 * nd
        cnt = math.prod(shape)
        out[name] = np.frombuffer(data, dtype='<f4', count=cnt, offset=i).reshape(shape)
        i += 4 * cnt
    return out


def check_ckpt(cfg_path, ckpt, dump, H, W, name):
    spec = vit_ref.Spec(vit_ref.read_config(cfg_path))
    ref = vit_ref.load_state(spec, ckpt)
    grid = (math.ceil(H / spec.patch), math.ceil(W / spec.patch))
    ref['backbone.pos_embed'] = vit_ref.resize_pos_embed(ref['backbone.pos_embed'], spec.grid,
                                                         grid, spec.mode, spec.extra)
    got = read_dump(dump)
    order = [n for n, _ in spec.params()]
    missing = [n for n in order if n not in got]
    allowed_missing = ['backbone.cls_token'] if (spec.gen0 and not spec.with_cls) else []
    extra = [n for n in got if n not in ref]
    if [n for n in missing if n not in allowed_missing] or extra:
        print(f'FAIL {name}_names: missing {missing}, unexpected {extra}')
        print(f'FAIL {name}_values: not compared (names differ)')
        return 1
    bad_order = [n for n in order if n in got] != list(got)
    if bad_order:
        print(f'FAIL {name}_names: {list(got)[:6]}... is not state_dict order {order[:6]}...')
    else:
        print(f'ok {name}_names ({len(got)} tensors in state_dict order)')
    bad = []
    for n, a in got.items():
        b = ref[n].numpy()
        if (n == 'backbone.pos_embed' and spec.gen0 and not spec.with_cls
                and a.shape[1] == b.shape[1] - 1):
            b = b[:, 1:]   # the 0.x backbone adds row 0 to the class token, then drops it
        if a.shape != b.shape:
            bad.append(f'{n}: shape {a.shape} vs {b.shape}')
        elif not np.array_equal(a.view(np.int32), b.view(np.int32)):
            bad.append(f'{n}: max abs diff {float(np.abs(a - b).max()):.3g}')
    if bad:
        print(f'FAIL {name}_values: ' + '; '.join(bad[:4]))
        return 1
    pe = got['backbone.pos_embed'].shape
    print(f'ok {name}_values (bit-identical; pos_embed {pe[1]} rows for {grid[0]}x{grid[1]})')
    return 1 if bad_order else 0


def check_random(cfg_path, dump, H, W, name):
    spec = vit_ref.Spec(vit_ref.read_config(cfg_path))
    got = read_dump(dump)
    grid = (math.ceil(H / spec.patch), math.ceil(W / spec.patch))
    problems = []
    if not all(np.isfinite(a).all() for a in got.values()):
        problems.append('non-finite values')
    pe = got['backbone.pos_embed']
    if pe.shape[1] != spec.extra + grid[0] * grid[1]:
        problems.append(f'pos_embed has {pe.shape[1]} rows, not {spec.extra}+{grid[0]}x{grid[1]}')
    for n, a in got.items():
        if n.endswith('ln1.weight') and abs(float(a.mean()) - 1) > 0.1:
            problems.append(f'{n} mean {float(a.mean()):.3g}, not ~1')
    if problems:
        print(f'FAIL {name}: ' + '; '.join(problems))
        return 1
    spec.grid = grid   # synthetic pos_embed is made for the input grid directly
    params = {n: torch.from_numpy(a.copy()) for n, a in got.items()}
    if spec.gen0 and 'backbone.cls_token' not in params:
        params['backbone.cls_token'] = torch.zeros(1, 1, spec.D)
    torch.manual_seed(0)
    x = torch.randn(2, spec.in_ch, H, W)
    with torch.no_grad():
        out = vit_ref.forward(spec, params, x).numpy()
    spread = float(out.std())
    if not np.isfinite(out).all() or spread < 1e-2 or float(np.abs(out[0] - out[1]).max()) < 1e-3:
        print(f'FAIL {name}: reference forward on synthetic weights gives std {spread:.3g}, '
              f'finite {bool(np.isfinite(out).all())}')
        return 1
    print(f'ok {name} (logits std {spread:.3g}, max |logit| {float(np.abs(out).max()):.3g})')
    return 0


if __name__ == '__main__':
    a = sys.argv[1:]
    if a[0] == 'topth':
        sd = {n: torch.from_numpy(v.copy()) for n, v in read_dump(a[1]).items()}
        torch.save({'state_dict': sd}, a[2])
    elif a[0] == 'ckpt':
        sys.exit(check_ckpt(a[1], a[2], a[3], int(a[4]), int(a[5]), a[6]))
    elif a[0] == 'random':
        sys.exit(check_random(a[1], a[2], int(a[3]), int(a[4]), a[5]))
    else:
        raise SystemExit(__doc__)
