"""compare.py GOT.f32 REF.f32 N NAME [--differ]: ok when max |got - ref| <= 1e-5 x max |ref|
(float32 outputs, N rows; measured: ~1e-6). With --differ the check is inverted: ok when the
outputs differ by more than that (used to show that a check is sensitive to what it tests).
Prints one ok/FAIL line; exit status 1 on FAIL."""
import sys

import numpy as np

TOL = 1e-5


def main(a):
    got = np.fromfile(a[0], dtype='<f4')
    ref = np.fromfile(a[1], dtype='<f4')
    n, name = int(a[2]), a[3]
    differ = '--differ' in a
    if got.size != ref.size or ref.size % n:
        print(f'FAIL {name}: {got.size} values from mmcc, {ref.size} from the reference')
        return 1
    err = float(np.abs(got - ref).max()) if got.size else 0.0
    scale = float(np.abs(ref).max())
    tol = TOL * scale
    ok = np.isfinite(got).all() and err <= tol
    rel = err / scale if scale else float('inf')
    if differ:
        if err > tol:
            print(f'ok {name} (outputs differ: max diff {err:.3g} = {rel:.2g} x max |ref|)')
            return 0
        print(f'FAIL {name}: outputs agree within {rel:.2g} x max |ref|, expected a difference')
        return 1
    if ok:
        print(f'ok {name} (max diff {err:.3g} = {rel:.2g} x max |ref| {scale:.3g}; '
              f'{n}x{ref.size // n})')
        return 0
    print(f'FAIL {name}: max |diff| {err:.4g} = {rel:.3g} x max |ref| {scale:.4g} '
          f'(tolerance {TOL:g}; {n}x{ref.size // n}; first got {got[:3]}, ref {ref[:3]})')
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
