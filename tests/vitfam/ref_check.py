"""Sanity checks of the ViT-family reference (tests/py/vit_ref.py) itself, for the vitfam suite.
The reference is the yardstick mmcc's libraries will be held to, so these checks test it
against facts that do not come from it: metafile parameter counts, the state-dict layout
of checkpoints written by make_model_ckpt.py (strict key matching, as load_state_dict does),
and behaviours read in upstream's code (e.g. DeiT3 never applies layers.i.ln2; a
DistilledVisionTransformer never applies pre_norm; DeiTClsHead averages its two heads).
Every check prints one protocol line (ok NAME / FAIL NAME: WHY); the process exits 1 if
anything failed or raised.

Verified once by hand (not a test: mmpretrain cannot be installed here): with
mmpretrain v1.2.0 / mmcv 2.1.0 / mmengine 0.10 source trees imported (stand-ins for the
packages Debian lacks), every tests/vitfam/tiny config and deit3-small, deit-tiny-distilled,
deit-small at full size built from upstream's registry loaded make_model_ckpt.py's
checkpoint with load_state_dict(strict=True) and gave logits bitwise equal to vit_ref.py's
(batch 3, torch 1.13). The same for MoCoV3ViT: tiny t13 (batch 3) and MoCo v3's vit-small
linear probe (22,050,664 parameters, batch 2), once vit_ref.py divided the scores by
sqrt(head_dim) as upstream does (multiplying by head_dim**-0.5 differs in the last bits for
heads of 32); the 7 tests/vitfam/bad/mocov3-*.py configs fail upstream's __init__ as the
messages say (TypeError, AssertionError x2, IndexError, AttributeError x2, KeyError).

    ref_check.py params METAFILE ROOT             reference parameter count == metafile's
                                                  (+ ROOT/metafile-errata.txt's correction)
    ref_check.py count-params METAFILE            number of lines 'params' prints
    ref_check.py model TAG CONFIG CKPT TENSORS.json [--light]
                                                  the checks below for one model, and mmcc
                                                  inspect --tensors (TENSORS.json) == the
                                                  reference's list; --light (full-size
                                                  models): strict keys and one image only
    ref_check.py count-model [--light] CONFIG...  number of lines 'model' prints (summed)
"""
import copy
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))
import vit_ref  # noqa: E402

failed = 0


def report(name, err):
    global failed
    if err:
        failed += 1
        print(f'FAIL {name}: {err}', flush=True)
    else:
        print(f'ok {name}', flush=True)


def metafile_models(path):
    import yaml
    with open(path) as f:
        y = yaml.safe_load(f)
    return [(m['Name'], m['Config'], m['Metadata']['Parameters']) for m in y['Models']]


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def errata(root):
    """metafile-errata.txt: {NAME: (DELTA, WHY)} (the count upstream's code gives is the
    metafile's + DELTA)"""
    out = {}
    with open(os.path.join(root, 'metafile-errata.txt')) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, delta, why = line.split(None, 2)
                out[name] = (int(delta), why.strip())
    return out


# backbones the reference does not build: a skip saying why (mmcc's side: vitfam.sh)
NOT_VIT = {'ResNet': 'a ResNet, which the ViT-family reference does not build',
           'BEiTViT': 'a BEiTViT, which mmcc refuses (vitfam.sh checks the refusal)'}


def cmd_params(metafile, root):
    known = errata(root)
    for name, cfg, want in metafile_models(metafile):
        try:
            c = vit_ref.read_config(os.path.join(root, cfg))
            kind = c['model']['backbone']['type']
            if kind in NOT_VIT:
                print(f'skip ref-params-{name}: its backbone is {NOT_VIT[kind]}', flush=True)
                continue
            got = sum(numel(s) for _, s in vit_ref.Spec(c).params())
            delta, why = known.get(name, (0, None))
            if got == want + delta:
                report(f'ref-params-{name}' + (f' (metafile {want} + {delta}: {why})' if delta else ''), None)
            elif delta and got == want:
                report(f'ref-params-{name}', f'the count matches the metafile: stale entry in metafile-errata.txt')
            else:
                report(f'ref-params-{name}', f'reference counts {got}, metafile says {want}' +
                       (f' (+ {delta} known: {why})' if delta else ''))
        except BaseException as e:  # noqa: B902 - a crash is a failure of this check
            report(f'ref-params-{name}', f'{type(e).__name__}: {e}')


def family_checks(spec):
    """Names of the model-specific checks for SPEC, in the order cmd_model runs them."""
    c = []
    if spec.dist:
        c.append('dist-token-used')
        if spec.pre_norm:
            c.append('pre-norm-not-applied')
    if spec.head == 'DeiTClsHead':
        c.append('deit-head-average')
    if spec.kind == 'DeiT3':
        c += ['ln2-not-applied', 'pos-rows-patches-only']
    if spec.layer_scale > 0:
        c.append('layer-scale-used')
    if spec.neck == 'ClsBatchNormNeck':
        c.append('bn-identity-stats')
    if not spec.with_cls:
        c.append('no-cls-pos-rows')
    if spec.kind == 'MoCoV3ViT':
        c.append('pos-embed-from-checkpoint')
    if any(s % spec.patch for s in spec.img_size):  # a config built for padded inputs
        c.append('corner-padding')
    return c


GENERIC = ['tensors', 'strict-keys', 'shape-b1', 'shape-b3', 'batch-independent']
LIGHT = ['tensors', 'strict-keys', 'shape-b1']


def run(spec, p, x):
    with torch.no_grad():
        return vit_ref.forward(spec, p, x)


def differs(a, b):
    return not torch.allclose(a, b, rtol=0, atol=1e-6 * max(1.0, float(a.abs().max())))


def cmd_model(tag, cfg_path, ckpt, tensors_json, light):
    cfg = vit_ref.read_config(cfg_path)
    spec = vit_ref.Spec(cfg)
    H, W = vit_ref.crop_size(cfg)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    out_w = spec.num_classes or spec.D
    # mmcc's tensor list (names, shapes, order) against the reference's
    if tensors_json.startswith('skip:'):  # the suite says why mmcc could not list them
        print(f'skip {tag}-tensors: {tensors_json[5:]}', flush=True)
    else:
        try:
            err = cmd_tensors(cfg_path, tensors_json)
        except (OSError, ValueError, KeyError) as e:
            err = f'no usable mmcc inspect --tensors output ({type(e).__name__}: {e})'
        report(f'{tag}-tensors', err)
    # strict keys: exactly the keys load_state_dict(strict=True) demands, in state_dict order
    keys = vit_ref.checkpoint_keys(ckpt)
    want = spec.state_keys()
    report(f'{tag}-strict-keys', None if keys == want else
           f'missing {sorted(set(want) - set(keys))[:4]}, unexpected '
           f'{sorted(set(keys) - set(want))[:4]}, or another order')
    p = vit_ref.load_state(spec, ckpt)
    x3 = torch.randn(3, spec.in_ch, H, W)
    y1 = run(spec, p, x3[:1])
    if light:
        ok = tuple(y1.shape) == (1, out_w) and bool(torch.isfinite(y1).all())
        report(f'{tag}-shape-b1', None if ok else f'output {tuple(y1.shape)}; want (1, {out_w})')
        return
    y3 = run(spec, p, x3)
    for n, y, N in (('shape-b1', y1, 1), ('shape-b3', y3, 3)):
        ok = tuple(y.shape) == (N, out_w) and bool(torch.isfinite(y).all())
        report(f'{tag}-{n}', None if ok else f'output {tuple(y.shape)}, finite '
               f'{bool(torch.isfinite(y).all())}; want ({N}, {out_w})')
    rows = torch.cat([run(spec, p, x3[i:i + 1]) for i in range(3)])
    report(f'{tag}-batch-independent', None if not differs(rows, y3) else
           f'batch of 3 differs from 3 single images by {float((rows - y3).abs().max())}')

    def changed(name, fn, expect_change):
        q = {k: v.clone() for k, v in p.items()}
        fn(q)
        y = run(spec, q, x3)
        d = differs(y, y3)
        report(f'{tag}-{name}', None if d == expect_change else
               ('output unchanged' if expect_change else
                f'output changed by {float((y - y3).abs().max())}'))

    def scale(key, f):
        return lambda q: q.__setitem__(key, q[key] * f + 0.25)

    for c in family_checks(spec):
        if c == 'dist-token-used':
            changed(c, scale('backbone.dist_token', 2.0), True)
        elif c == 'pre-norm-not-applied':   # deit.py forward has no pre_norm call
            changed(c, scale('backbone.pre_norm.weight', 3.0), False)
        elif c == 'ln2-not-applied':        # deit3.py layer: ffn(ln1(x)); ln2 is built only
            def all_ln2(q):
                for i in range(spec.L):
                    q[f'backbone.layers.{i}.ln2.weight'] = q[f'backbone.layers.{i}.ln2.weight'] * 5
                    q[f'backbone.layers.{i}.ln2.bias'] = q[f'backbone.layers.{i}.ln2.bias'] + 1
            changed(c, all_ln2, False)
        elif c == 'layer-scale-used':
            changed(c, scale(f'backbone.layers.{spec.L - 1}.ffn.gamma2.weight', 3.0), True)
        elif c == 'pos-rows-patches-only':  # deit3.py: pos_embed (1, h*w, C)
            rows = p['backbone.pos_embed'].shape[1]
            report(f'{tag}-{c}', None if rows == spec.grid[0] * spec.grid[1] else
                   f'pos_embed has {rows} rows for a {spec.grid} grid')
        elif c == 'no-cls-pos-rows':        # vision_transformer.py: no cls row without it
            rows = p['backbone.pos_embed'].shape[1]
            report(f'{tag}-{c}', None if rows == spec.grid[0] * spec.grid[1] else
                   f'pos_embed has {rows} rows for a {spec.grid} grid')
        elif c == 'deit-head-average':
            # deit_head.py: (head(cls) + head_dist(dist)) / 2 is linear in the two heads:
            # the output with head_dist zeroed plus the output with head zeroed == the output
            def zero(prefix):
                def f(q):
                    q[prefix + '.weight'] = torch.zeros_like(q[prefix + '.weight'])
                    q[prefix + '.bias'] = torch.zeros_like(q[prefix + '.bias'])
                return f
            qa = {k: v.clone() for k, v in p.items()}
            zero('head.layers.head_dist')(qa)
            qb = {k: v.clone() for k, v in p.items()}
            zero('head.layers.head')(qb)
            s = run(spec, qa, x3) + run(spec, qb, x3)
            bad = differs(s, y3) or not differs(run(spec, qa, x3), y3 / 2)
            report(f'{tag}-{c}', None if not bad else 'output is not the mean of the two heads')
        elif c == 'bn-identity-stats':
            # BatchNorm1d eval with mean 0, var 1 - eps (and weight 1, bias 0) is the identity:
            # the output equals the same model without the neck
            q = {k: v.clone() for k, v in p.items()}
            q['neck.bn.running_mean'] = torch.zeros(spec.bn_C)
            q['neck.bn.running_var'] = torch.full((spec.bn_C,), 1.0 - spec.bn_eps)
            if spec.bn_affine:
                q['neck.bn.weight'] = torch.ones(spec.bn_C)
                q['neck.bn.bias'] = torch.zeros(spec.bn_C)
            plain = copy.copy(spec)
            plain.neck = None
            a, b = run(spec, q, x3), run(plain, q, x3)
            bad = differs(a, b) or not differs(y3, b)
            report(f'{tag}-{c}', None if not bad else
                   'the neck is not (x - running_mean) / sqrt(running_var + eps)')
        elif c == 'pos-embed-from-checkpoint':
            # mocov3.py: the sin-cos values are init_weights' (skipped for 'Pretrained');
            # pos_embed is a parameter, so the checkpoint's grid rows are the ones added
            changed(c, scale('backbone.pos_embed', 2.0), True)
        elif c == 'corner-padding':
            # mmcv AdaptivePadding(corner): zero padding bottom/right to whole patches
            # (an input 3 rows and 5 columns short of whole patches)
            xs = x3[:, :, :H - 3, :W - 5]
            xp = torch.nn.functional.pad(xs, [0, 5, 0, 3])
            a, b = run(spec, p, xs), run(spec, p, xp)
            bad = differs(a, b) or not differs(a, y3)
            report(f'{tag}-{c}', None if not bad else 'input not zero-padded bottom/right')
        else:
            report(f'{tag}-{c}', 'no such check')


def cmd_tensors(cfg_path, inspect_json):
    spec = vit_ref.Spec(vit_ref.read_config(cfg_path))
    with open(inspect_json) as f:
        got = [(t['name'], tuple(t['shape'])) for t in json.load(f)['tensors']]
    shapes = dict(spec.params())
    shapes.update({n: s for n, s, _ in spec.buffers()})
    want = [(n, tuple(shapes[n])) for n in spec.state_keys()]
    if got == want:
        return None
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return f'entry {i}: mmcc {a}, reference {b}'
    return f'mmcc lists {len(got)} tensors, the reference {len(want)}'


def main(argv):
    cmd = argv[0]
    if cmd == 'params':
        cmd_params(argv[1], argv[2])
    elif cmd == 'count-params':
        print(len(metafile_models(argv[1])))
    elif cmd == 'model':
        cmd_model(argv[1], argv[2], argv[3], argv[4], '--light' in argv[5:])
    elif cmd == 'count-model':
        light = '--light' in argv
        cfgs = [a for a in argv[1:] if a != '--light']
        print(sum(len(LIGHT) if light else
                  len(GENERIC) + len(family_checks(vit_ref.Spec(vit_ref.read_config(c))))
                  for c in cfgs))
    else:
        raise SystemExit(__doc__)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main(sys.argv[1:])
