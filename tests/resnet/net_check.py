"""End-to-end check of the runtime ops composed into a whole network (net_driver.c, walking
mmcc's own ResNet description) against the independent reference tests/py/resnet_ref.py:
logits within 1e-5 x max|logit| for batch 1 and 3, and identical bytes for 1/2/3-way work
splits. Prints one protocol line per (config, batch), "net_<TAG>_<config name>_b<B>";
exits 1 on any failure. One process for many configs (torch loads once).

    net_check.py DRIVER TAG WORKDIR CONFIG.py:CKPT.pth:SIZE..."""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    driver, tag, root = argv[:3]
    failed = 0
    for case in argv[3:]:
        cfg, ckpt, size = case.rsplit(':', 2)
        n = os.path.basename(cfg)[:-3]
        failed += run_case(driver, f'{tag}_{n}', cfg, ckpt, int(size), os.path.join(root, n))
    return 1 if failed else 0


def run_case(driver, tag, cfg, ckpt, size, work):
    import torch
    from resnet_ref import build, load
    os.makedirs(work, exist_ok=True)
    failed = 0
    try:
        model = load(build(cfg), ckpt)
    except BaseException as e:  # SystemExit from load() included: a failure of both checks
        for B in (1, 3):
            print(f'FAIL net_{tag}_b{B}: reference: {type(e).__name__}: {e}')
        return 2
    for B in (1, 3):
        name = f'net_{tag}_b{B}'
        try:
            x = torch.randn(B, model.backbone.sp.in_channels, size, size,
                            generator=torch.Generator().manual_seed(11 + B))
            with torch.no_grad():
                want = model(x).numpy().astype(np.float64)
            inp = os.path.join(work, f'in{B}.f32')
            x.numpy().astype(np.float32).tofile(inp)
            prefix = os.path.join(work, f'out{B}_')
            r = subprocess.run([driver, cfg, ckpt, inp, str(B), str(size), prefix],
                               capture_output=True, text=True)
            if r.returncode:
                raise RuntimeError(f'net_driver exit {r.returncode}: {r.stderr.strip()[:300]}')
            outs = [np.fromfile(f'{prefix}{p}.f32', dtype=np.float32) for p in (1, 2, 3)]
            got = outs[0].reshape(want.shape)
            err = float(np.abs(got - want).max() / np.abs(want).max())
            if not np.isfinite(got).all():
                print(f'FAIL {name}: non-finite logits'); failed += 1
            elif err > 1e-5:
                print(f'FAIL {name}: max error {err:.3g} x max|logit| (limit 1e-05)'); failed += 1
            elif any(o.tobytes() != outs[0].tobytes() for o in outs[1:]):
                print(f'FAIL {name}: 1/2/3-way splits differ'); failed += 1
            else:
                print(f'ok {name}')
        except Exception as e:
            print(f'FAIL {name}: {type(e).__name__}: {e}'); failed += 1
    return failed


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
