"""Compares mmcc's resize_bicubic_torch (compiler/weights_resize.c, through bicubic_driver)
with torch's F.interpolate(mode='bicubic', align_corners=False), called as mmpretrain's
resize_pos_embed calls it (a [1, C, H, W] view permuted from [1, H*W, C] rows).

    check_bicubic.py DRIVER TMPDIR exact|native
    check_bicubic.py --count       the number of lines one mode prints (for the suite's plan)

exact:  run with ATEN_CPU_CAPABILITY=default (torch's portable kernel, no FMA): every value
        must be within 1 ulp (mmcc is bit-identical there).
native: torch's kernel for this CPU (the AVX2/AVX-512 builds contract to FMA, which moves
        results by a few 1e-7): max |diff| <= 1e-5 x max |input|.
Prints one ok/FAIL line per grid pair; exit status 1 when any failed."""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

CASES = [(7, 7, 14, 14), (14, 14, 24, 24), (24, 24, 14, 14), (12, 12, 7, 7), (14, 14, 28, 28),
         (12, 12, 14, 14), (14, 14, 12, 12), (7, 7, 12, 12), (12, 12, 24, 24), (24, 24, 28, 28),
         (28, 28, 24, 24), (28, 28, 14, 14), (14, 14, 7, 7), (3, 5, 4, 9), (6, 4, 11, 3),
         (5, 5, 1, 1), (1, 1, 3, 3), (2, 3, 2, 7), (14, 14, 14, 14), (8, 8, 9, 15),
         (16, 10, 5, 13), (4, 4, 5, 5), (3, 3, 4, 4)]


def ulp_dist(a, b):
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, -(ia & 0x7fffffff), ia)
    ib = np.where(ib < 0, -(ib & 0x7fffffff), ib)
    return np.abs(ia - ib)


def main():
    if sys.argv[1:] == ['--count']:
        print(len(CASES))
        return 0
    driver, tmp, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == 'exact' and os.environ.get('ATEN_CPU_CAPABILITY') != 'default':
        raise SystemExit('check_bicubic.py exact: run with ATEN_CPU_CAPABILITY=default')
    torch.manual_seed(0)
    bad = 0
    for (ih, iw, oh, ow) in CASES:
        c = 6
        rows = torch.randn(1, ih * iw, c) * 0.5
        src = rows.reshape(1, ih, iw, c).permute(0, 3, 1, 2)
        ref = F.interpolate(src.float(), size=(oh, ow), align_corners=False, mode='bicubic')
        ref = ref[0].contiguous().numpy()
        inp = os.path.join(tmp, 'bicubic_in.f32')
        outp = os.path.join(tmp, 'bicubic_out.f32')
        src[0].contiguous().numpy().astype('<f4').tofile(inp)
        subprocess.run([driver, str(c), str(ih), str(iw), str(oh), str(ow), inp, outp],
                       check=True)
        got = np.fromfile(outp, dtype='<f4').reshape(c, oh, ow)
        name = f'bicubic_{mode}_{ih}x{iw}_to_{oh}x{ow}'
        if mode == 'exact':
            d = ulp_dist(got, ref)
            if d.max() <= 1:
                print(f'ok {name} ({int((d == 0).sum())}/{d.size} bit-identical)')
            else:
                bad += 1
                print(f'FAIL {name}: {int((d > 1).sum())}/{d.size} values off by more than '
                      f'1 ulp (max {int(d.max())} ulp, max abs {float(np.abs(got - ref).max()):.3g})')
        else:
            err = float(np.abs(got - ref).max())
            tol = 1e-5 * float(np.abs(src.numpy()).max())
            if err <= tol:
                print(f'ok {name} (max abs diff {err:.2g})')
            else:
                bad += 1
                print(f'FAIL {name}: max abs diff {err:.3g} > {tol:.3g}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
