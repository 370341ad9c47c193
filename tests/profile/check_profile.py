"""check_profile.py: the per-op profile of a `mmcc build --profile` library (tests/profile/
prof_dump.c's output) against an independent count of the model's products.

    check_profile.py vit|resnet CONFIG DUMP N THREADS MODEL_C NAME

Prints ok/FAIL lines (5):
  NAME_ops      one profile entry per op call in MODEL_C (the lines mm_prof_op(..., I, n), or
                mm_prof_op(..., I, 1) inside an image loop: ResNet's head, once per image)
  NAME_flops    sum over ops of flops x images == 2 x the multiply-adds of N images, counted
                from the config by PyTorch hooks (ResNet: tests/py/export_onnx_resnet.py's
                macs_of over resnet_ref's model, the 3x3 convolutions that --winograd auto
                takes counted as their Winograd products) or by the shapes of tests/py/vit_ref.py's
                reading of it (ViT; the patch embedding runs over all T rows, extra tokens
                included, as the compiled product does)
  NAME_calls    every op called once per image pass, or once per layer inside the loop, or
                (an image loop's) once per image; every thread counts every op (THREADS > 1);
                images = calls x N, or N for an image loop's
  NAME_times    wall >= work >= 0 and cpu >= 0 on thread 0; their sum is positive
  NAME_badargs  out-of-range op, thread and a NULL entry give E_BAD_ARGUMENT
"""
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'py'))


def vit_macs(cfg_path):
    import vit_ref
    cfg = vit_ref.read_config(cfg_path)
    s = vit_ref.Spec(cfg)
    h, w = vit_ref.crop_size(cfg)
    gh, gw = math.ceil(h / s.patch), math.ceil(w / s.patch)
    T = gh * gw + s.extra
    D, F = s.D, s.F
    macs = T * D * s.in_ch * s.patch * s.patch
    macs += s.L * (T * D * 3 * D + 2 * T * T * D + T * D * D + 2 * T * D * F)
    if s.num_classes:
        macs += (s.hidden_dim or 0) * s.head_in + s.num_classes * (s.hidden_dim or s.head_in)
    return macs, s.L


def resnet_macs(cfg_path, c, h, w):
    import torch
    from resnet_ref import build
    from export_onnx_resnet import macs_of, wino_auto
    model = build(cfg_path).eval()
    return macs_of(model, torch.zeros(1, c, h, w), wino_auto), None


FAILED = []


def check(name, ok, why):
    print('ok %s' % name if ok else 'FAIL %s: %s' % (name, why))
    if not ok:
        FAILED.append(name)


def main(argv):
    family, cfg, dump, n, threads, model_c, name = argv
    n, threads = int(n), int(threads)
    ops, bad, nops = [], None, None
    for line in open(dump):
        f = line.rstrip('\n').split('\t')
        if f[0] == 'op':
            ops.append(dict(i=int(f[1]), kind=f[2], flops=int(f[3]), calls=int(f[4]),
                            images=int(f[5]), wall=int(f[6]), work=int(f[7]), cpu=int(f[8]),
                            calls1=int(f[9]), images1=int(f[10]), label=f[11]))
        elif f[0] == 'badargs':
            bad = [int(x) for x in f[1:]]
        elif f[0] == 'ops':
            nops = int(f[1])
    src = open(model_c).read()
    marks = re.findall(r'mm_prof_op\(&pm, tid, (\d+), (n|1)\);', src)
    idx = [int(i) for i, _ in marks]
    per_image = {int(i) for i, k in marks if k == '1'}  # inside `for (int im = 0; im < n; ...)`
    ok = nops == len(ops) == len(idx) and idx == list(range(len(idx))) and \
        [o['i'] for o in ops] == idx
    check(name + '_ops', ok, '%s entries, %s in the header, model.c times %s' % (len(ops), nops, idx))

    if family == 'vit':
        macs, layers = vit_macs(cfg)
    else:
        c, h, w = [int(x) for x in argv_info]
        macs, layers = resnet_macs(cfg, c, h, w)
    got = sum(o['flops'] * o['images'] for o in ops)
    want = 2 * macs * n
    check(name + '_flops', got == want,
          'the profile counts %d flops for %d images, the reference %d' % (got, n, want))

    # each op runs once per pass over a chunk of images (every op of a pass covers the same
    # images), or once per layer and pass inside the layer loop, or (an image loop's) once
    # per image on that image alone
    why = []
    passes = next((o['calls'] for o in ops if o['i'] not in per_image), 0)
    for o in ops:
        r = o['calls'] // passes if passes and o['calls'] % passes == 0 else 0
        if o['i'] in per_image:
            if (o['calls'], o['images']) != (n, n):
                why.append('%s (image loop): %d calls, %d images, want %d' %
                           (o['label'], o['calls'], o['images'], n))
        elif r not in (1, layers or 1):
            why.append('%s called %d times in %d passes' % (o['label'], o['calls'], passes))
        elif o['images'] != r * n:
            why.append('%s: %d images, want %d' % (o['label'], o['images'], r * n))
        if threads > 1 and (o['calls1'], o['images1']) != (o['calls'], o['images']):
            why.append('%s: thread 1 counted %d calls' % (o['label'], o['calls1']))
        if threads == 1 and o['calls1']:
            why.append('%s: thread 1 counted with one thread' % o['label'])
    if layers and not any(o['calls'] == layers * passes for o in ops):
        why.append('no op called once per layer (%d layers)' % layers)
    check(name + '_calls', not why, '; '.join(why[:3]))

    why = [o['label'] for o in ops if not (o['wall'] >= o['work'] >= 0 and o['cpu'] >= 0)]
    if sum(o['wall'] for o in ops) <= 0:
        why.append('no time at all')
    check(name + '_times', not why, ', '.join(why[:3]))

    ok = bad is not None and len(bad) == 5 and bad[0] < 0 and all(b == bad[0] for b in bad[1:])
    check(name + '_badargs', ok, 'return codes %s' % bad)
    return 1 if FAILED else 0


if __name__ == '__main__':
    args = sys.argv[1:]
    argv_info = []
    if '--input' in args:  # --input C H W (ResNet: the compiled input size)
        k = args.index('--input')
        argv_info = args[k + 1:k + 4]
        del args[k:k + 4]
    if len(args) != 7:
        raise SystemExit(__doc__)
    sys.exit(main(args))
