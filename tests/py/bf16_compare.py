"""bf16_compare.py GOT.f32 N NAME REF.f32...: ok when every one of the N output rows is within
1e-5 x max |ref| of the same row of at least one reference (max over that reference's
values), the references being one bf16 model computed with different sums (e.g.
resnet_ref_bf16.py in float32 and with --float64): a product input within fp32 noise of a
bf16 rounding boundary rounds either way, so which rows agree with which reference depends
on summation order, while a wrong rounding, fold or op moves every row of both. Both
references can still round such an input the same way and mmcc the other (seen on an AMD
EPYC, where torch's float32 convolutions sum differently from the Intel CPUs': one row of
ResNet-V1d's batch of 3 at 1.1e-3): so a row may instead be within FLIP (one bf16 rounding
step, 2^-8, of max |ref|) when at least one row of the batch is within 1e-5 - a wrong op
moves every row, and a row mixed up with another image is off by far more. With one row,
only 1e-5 counts. Prints one ok/FAIL line (naming the rows taken as flips); exit status 1 on
FAIL."""
import sys

import numpy as np

TOL = 1e-5
FLIP = 2.0 ** -8


def main(a):
    if len(a) < 4:
        raise SystemExit(__doc__)
    got = np.fromfile(a[0], dtype='<f4')
    n, name = int(a[1]), a[2]
    refs = [np.fromfile(r, dtype='<f4') for r in a[3:]]
    if n <= 0 or any(r.size != got.size for r in refs) or got.size % n:
        print(f'FAIL {name}: {got.size} values from mmcc, {[r.size for r in refs]} from the references')
        return 1
    g = got.reshape(n, -1).astype(np.float64)
    rel = np.stack([np.abs(g - r.reshape(n, -1)).max(axis=1) / np.abs(r).max() for r in refs])
    best = rel.min(axis=0)
    strict = best <= TOL
    flips = [int(i) for i in np.nonzero(~strict & (best <= FLIP))[0]] if strict.any() else []
    if np.isfinite(g).all() and (strict | np.isin(np.arange(n), flips)).all():
        which = [int(i) for i in rel.argmin(axis=0)]
        note = (f'; rows {flips} within one bf16 rounding step ({FLIP:g}): '
                f'{[float(f"{best[i]:.3g}") for i in flips]}') if flips else ''
        print(f'ok {name} (per row the nearest reference within '
              f'{best[strict].max():.2g} x max |ref|{note}; '
              f'rows x references {n}x{len(refs)}, nearest {which})')
        return 0
    bad = int(np.argmax(best))
    print(f'FAIL {name}: row {bad} is {best[bad]:.3g} x max |ref| from the nearest reference '
          f'(tolerance {TOL:g}; per reference {rel[:, bad]})')
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
