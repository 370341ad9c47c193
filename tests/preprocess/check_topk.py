"""mmrt_topk (ppdrv topk) against numpy: order by logit descending, ties by lower index;
scores = softmax (float64 reference, float32 result). usage: check_topk.py PPDRV"""
import subprocess
import sys

import numpy as np


def main():
    drv = sys.argv[1]
    rng = np.random.default_rng(3)
    bad = 0
    cases = [('random', rng.normal(0, 3, 1000).astype(np.float32), 5),
             ('ties', np.round(rng.normal(0, 1, 1000) * 2).astype(np.float32), 20),
             ('all-equal', np.zeros(1000, np.float32), 5),
             ('large', (rng.normal(0, 1, 1000) * 1e4).astype(np.float32), 5),
             ('k-is-n', rng.normal(0, 1, 7).astype(np.float32), 7),
             ('n-is-1', np.array([3.5], np.float32), 1)]
    for name, logits, k in cases:
        r = subprocess.run([drv, 'topk', str(len(logits)), str(k)], input=logits.tobytes(),
                           capture_output=True)
        rows = [ln.split() for ln in r.stdout.decode().splitlines()]
        order = sorted(range(len(logits)), key=lambda i: (-float(logits[i]), i))[:k]
        x = logits.astype(np.float64)
        p = np.exp(x - x.max())
        p /= p.sum()
        got_idx = [int(a) for a, _ in rows]
        got_p = np.array([float(b) for _, b in rows])
        if r.returncode != 0 or got_idx != order:
            print(f'FAIL topk-{name}: indices {got_idx[:8]} != {order[:8]} ({r.stderr.decode().strip()})')
            bad += 1
        elif not np.allclose(got_p, p[order], rtol=1e-6, atol=1e-12):
            print(f'FAIL topk-{name}: scores {got_p[:5]} != {p[order][:5]}')
            bad += 1
        else:
            print(f'ok topk-{name}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
