"""Unit tests of runtime/mmrt_conv.h against torch (conv2d, batch_norm, max_pool2d,
avg_pool2d, mean, sigmoid): runs ops_driver (built for one target) on seeded random inputs,
odd shapes, groups, strides, batch 1 and 3, and checks for each case that
  - the result is within 1e-5 relative (|got - want| <= 1e-5 * max|want|, per case), and
  - the 1-, 2- and 3-way work splits give identical bytes.
Prints one protocol line per case ("ok ops_<target>_<case>" / "FAIL ...: why"); exits 1 when
any case fails or anything goes wrong.

    ops_check.py DRIVER TARGET WORKDIR [--list]   (--list: print the number of cases)"""
import os
import subprocess
import sys

import numpy as np

TOL = 1e-5

# name, B, H, W, Cin, Cout, k, stride, pad, groups, relu, residual, bn
CONV = [
    ('stem7x7', 1, 23, 19, 3, 16, 7, 2, 3, 1, 1, 0, 1),
    ('stem7x7_b3', 3, 17, 17, 3, 8, 7, 2, 3, 1, 1, 0, 1),
    ('3x3', 1, 9, 11, 13, 21, 3, 1, 1, 1, 1, 0, 1),
    ('3x3_s2_b3', 3, 10, 7, 8, 24, 3, 2, 1, 1, 0, 1, 1),
    ('1x1', 1, 7, 5, 37, 70, 1, 1, 0, 1, 0, 1, 1),
    ('1x1_s2_b3', 3, 9, 9, 16, 33, 1, 2, 0, 1, 0, 0, 1),
    ('group4', 1, 8, 9, 16, 16, 3, 1, 1, 4, 1, 0, 1),
    ('group32_s2_b3', 3, 9, 8, 64, 64, 3, 2, 1, 32, 1, 0, 1),
    ('deepK', 1, 6, 6, 96, 40, 3, 1, 1, 1, 1, 1, 1),  # K = 864 > KC: blocked k loop
    # few pixels (7 x 7: ResNet stage 4; CIFAR's 4 x 4), partial token panels, batch 3
    ('few_3x3', 1, 7, 7, 40, 128, 3, 1, 1, 1, 1, 1, 1),
    ('few_1x1_s2', 1, 8, 8, 24, 64, 1, 2, 0, 1, 0, 0, 1),
    ('few_1x1_b3', 3, 3, 3, 24, 64, 1, 1, 0, 1, 1, 1, 1),
    ('head_linear_b3', 3, 1, 1, 130, 10, 1, 1, 0, 1, 0, 0, 0),
    # weights past L2 / 8 (MMRT_L2_BYTES 2 MiB): weight-panel-major order; a 1x1 on the
    # evenly spaced (assembly) path, and an unpadded 3x3 whose 1.7 MB panels are read in
    # blocks of kernel rows, so that path resumes from partial sums
    ('wide_1x1', 1, 6, 6, 512, 160, 1, 1, 0, 1, 1, 1, 1),
    ('rows_3x3_unpadded', 1, 16, 16, 1500, 40, 3, 1, 0, 1, 1, 0, 1),
    # 17 weight panels (the last of 8 channels) of 266 KB in all: token-major whole (1- and
    # 3-way splits), weight-panel-major in the 2-way split's halves
    ('tm_panels_1x1', 1, 5, 7, 130, 520, 1, 1, 0, 1, 1, 1, 1),
]
# name, B, H, W, C, extra
POOL = [
    ('maxpool_odd', 'maxpool', 1, 13, 11, 5, (3, 2, 1)),
    ('maxpool_b3', 'maxpool', 3, 8, 9, 16, (3, 2, 1)),
    ('avgpool_ceil', 'avgpool', 1, 7, 9, 6, (2,)),
    ('avgpool_ceil_b3', 'avgpool', 3, 6, 5, 4, (2,)),
    ('gap', 'gap', 1, 7, 7, 19, ()),
    ('gap_b3', 'gap', 3, 5, 3, 33, ()),
    ('se', 'se', 1, 5, 6, 32, (8,)),
    ('se_b3', 'se', 3, 4, 3, 64, (16,)),
]


def cases():
    return [c[0] for c in CONV] + [c[0] for c in POOL]


def write(d, name, a):
    np.ascontiguousarray(a, dtype=np.float32).tofile(os.path.join(d, name))


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous().numpy()


def run(driver, d, args):
    r = subprocess.run([driver] + [str(a) for a in args], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f'driver exit {r.returncode}: {r.stderr.strip()[:300]}')
    return [np.fromfile(os.path.join(d, f'out{p}.f32'), dtype=np.float32) for p in (1, 2, 3)]


def conv_case(driver, d, c, g):
    name, B, H, W, Cin, Cout, k, s, pad, G, relu, res, bn = c
    x = torch.randn(B, Cin, H, W, generator=g)
    w = torch.randn(Cout, Cin // G, k, k, generator=g) * (2.0 / (Cin // G * k * k)) ** 0.5
    eps = 1e-5
    write(d, 'x.f32', nhwc(x))
    write(d, 'w.f32', w.numpy())
    y = F.conv2d(x.double(), w.double(), None, s, pad, 1, G)
    if bn:
        gamma = 0.5 + torch.rand(Cout, generator=g)
        beta = 0.1 * torch.randn(Cout, generator=g)
        mean = 0.2 * torch.randn(Cout, generator=g)
        var = 0.5 + torch.rand(Cout, generator=g)
        write(d, 'bn.f32', torch.cat([gamma, beta, mean, var]).numpy())
        y = F.batch_norm(y, mean.double(), var.double(), gamma.double(), beta.double(), False,
                         0.0, eps)
    else:
        bias = 0.1 * torch.randn(Cout, generator=g)
        write(d, 'bn.f32', bias.numpy())
        y = y + bias.double().view(1, -1, 1, 1)
    if res:
        r = torch.randn(y.shape, generator=g)
        write(d, 'res.f32', nhwc(r))
        y = y + r.double()
    if relu:
        y = F.relu(y)
    outs = run(driver, d, ['conv', d, B, H, W, Cin, Cout, k, s, pad, G, relu, res, bn,
                           int(round(eps * 1e9))])
    return outs, nhwc(y).ravel()


def pool_case(driver, d, c, g):
    name, op, B, H, W, C, extra = c
    x = torch.randn(B, C, H, W, generator=g)
    write(d, 'x.f32', nhwc(x))
    xd = x.double()
    if op == 'maxpool':
        k, s, p = extra
        want = nhwc(F.max_pool2d(xd, k, s, p))
    elif op == 'avgpool':
        s, = extra
        want = nhwc(F.avg_pool2d(xd, s, s, ceil_mode=True, count_include_pad=False))
    elif op == 'gap':
        want = xd.mean(dim=(2, 3)).numpy()
    else:  # se: y = relu(x * sigmoid(conv2(relu(conv1(mean(x))))) + res)
        S, = extra
        w1 = torch.randn(S, C, generator=g) * C ** -0.5
        b1 = 0.1 * torch.randn(S, generator=g)
        w2 = torch.randn(C, S, generator=g) * S ** -0.5
        b2 = 0.1 * torch.randn(C, generator=g)
        r = torch.randn(B, C, H, W, generator=g)
        for n, t in (('w1', w1), ('b1', b1), ('w2', w2), ('b2', b2)):
            write(d, n + '.f32', t.numpy())
        write(d, 'res.f32', nhwc(r))
        p = xd.mean(dim=(2, 3), keepdim=True)
        h = F.relu(F.conv2d(p, w1.double().view(S, C, 1, 1), b1.double()))
        a = torch.sigmoid(F.conv2d(h, w2.double().view(C, S, 1, 1), b2.double()))
        want = nhwc(F.relu(xd * a + r.double()))
    outs = run(driver, d, [op, d, B, H, W, C] + list(extra))
    return outs, np.asarray(want).ravel()


def main(argv):
    if len(argv) >= 1 and argv[-1] == '--list':
        print(len(cases()))
        return 0
    if len(argv) != 3:
        raise SystemExit(__doc__)
    driver, target, work = argv
    global torch, F
    import torch
    import torch.nn.functional as F
    failed = 0
    g = torch.Generator().manual_seed(7)
    for c in CONV + POOL:
        name = f'ops_{target}_{c[0]}'
        d = os.path.join(work, c[0])
        os.makedirs(d, exist_ok=True)
        try:
            outs, want = (conv_case if c in CONV else pool_case)(driver, d, c, g)
            got = outs[0]
            if got.shape != want.shape:
                raise RuntimeError(f'{got.size} values, wanted {want.size}')
            scale = max(float(np.abs(want).max()), 1e-30)
            err = float(np.abs(got.astype(np.float64) - want).max()) / scale
            same = all(o.tobytes() == got.tobytes() for o in outs[1:])
            if not np.isfinite(got).all():
                print(f'FAIL {name}: non-finite output')
                failed += 1
            elif err > TOL:
                print(f'FAIL {name}: max error {err:.3g} x max|ref| (limit {TOL})')
                failed += 1
            elif not same:
                print(f'FAIL {name}: 1/2/3-way splits differ')
                failed += 1
            else:
                print(f'ok {name}')
        except Exception as e:  # a crash in a check is a failure of that check
            print(f'FAIL {name}: {type(e).__name__}: {e}')
            failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
