"""bf16_product.py PRODUCT_EXE PRODUCTS.txt NAME DIR: single bf16 products of mmcc's runtime
(tests/bf16/product.c) against torch: C = bf16(X) bf16(W)^T (+ b, + C0 in mode acc), the
rounding by torch's .to(torch.bfloat16), the product in float64.

Per product (a line M N K MODE): inputs from a fixed seed (X ~ N(0, 1) with some values on
bf16 rounding ties, W ~ N(0, 1/K)); ok when every element is within 4 sqrt(K) 2^-24 x
sum_k |x_k w_k| + 1e-30 of the reference (fp32 summation in any order), the outputs for 1 and
3 threads are the same bytes, and the unrounded product differs from mmcc's by more than that
bound somewhere (the rounding is really there). One ok/FAIL line per product; exit 1 on FAIL.
"""
import os
import subprocess
import sys

import numpy as np
import torch


def bf16(a):
    return torch.from_numpy(a).to(torch.bfloat16).double()


def main(argv):
    exe, products, name, d = argv
    failed = 0
    rs = np.random.RandomState(7)
    for line in open(products):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        M, N, K, mode = line.split()
        M, N, K = int(M), int(N), int(K)
        tag = f'{name}_{M}_{N}_{K}_{mode}'
        x = rs.randn(M, K).astype(np.float32)
        ties = rs.rand(M, K) < 0.05          # exact ties: 1 + 2^-8 (even: 1), 1 + 3 2^-8 (even: up)
        x[ties] = np.where(rs.rand(int(ties.sum())) < 0.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8)
        w = (rs.randn(N, K) / np.sqrt(K)).astype(np.float32)
        b = rs.randn(N).astype(np.float32)
        c0 = rs.randn(M, N).astype(np.float32)
        files = {}
        for k, v in (('x', x), ('w', w), ('b', b), ('c0', c0)):
            files[k] = os.path.join(d, f'{tag}.{k}')
            v.astype('<f4').tofile(files[k])
        outs = []
        err = ''
        for nt in (1, 3):
            out = os.path.join(d, f'{tag}.out{nt}')
            r = subprocess.run([exe, str(M), str(N), str(K), mode, files['x'], files['w'],
                                files['b'], files['c0'], out, str(nt)], capture_output=True)
            if r.returncode != 0:
                err = f'product exited {r.returncode}: {r.stderr.decode()[-200:].strip()}'
                break
            outs.append(np.fromfile(out, dtype='<f4').reshape(M, N))
        if err:
            print(f'FAIL {tag}: {err}')
            failed = 1
            continue
        xd, wd = bf16(x), bf16(w)
        ref = (xd @ wd.T + torch.from_numpy(b).double()).numpy()
        raw = (torch.from_numpy(x).double() @ torch.from_numpy(w).double().T
               + torch.from_numpy(b).double()).numpy()
        if mode == 'acc':
            ref = ref + c0
            raw = raw + c0
        mag = (xd.abs() @ wd.abs().T).numpy() + np.abs(b)[None, :] + (np.abs(c0) if mode == 'acc' else 0)
        bound = 4 * np.sqrt(K) * 2.0 ** -24 * mag + 1e-30
        got = outs[0].astype(np.float64)
        worst = float((np.abs(got - ref) / bound).max())
        same = outs[0].tobytes() == outs[1].tobytes()
        sens = float((np.abs(got - raw) / bound).max())
        if not np.isfinite(got).all() or worst > 1:
            print(f'FAIL {tag}: max |got - ref| / bound = {worst:.3g} (> 1)')
            failed = 1
        elif not same:
            print(f'FAIL {tag}: 1 and 3 threads give different bytes')
            failed = 1
        elif sens <= 1:
            print(f'FAIL {tag}: the unrounded product is within the bound too (rounding absent?)')
            failed = 1
        else:
            print(f'ok {tag} (max |got - ref| = {worst:.2g} x bound; unrounded: {sens:.3g} x '
                  f'bound; 1/3 threads identical)')
    return failed


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
