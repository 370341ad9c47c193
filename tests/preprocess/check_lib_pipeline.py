"""A generated library's <id>_preprocess_rgb8 (e2e_drv.c.in) against tests/py/pipeline_ref.py
driven by the same config, resolved by 'mmcc config' (pipeline_ref reads the transforms itself:
params_from_config), 0 ulp. Images the pipeline cannot turn into the compiled H x W must give
the image-shape error (-5) from both entry points. One ok/FAIL line per image.
usage: check_lib_pipeline.py NAME CONFIG.json RC_FILE F32_FILE H W W1 H1 [W2 H2 ...]"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import pipeline_ref as ref  # noqa: E402

E_IMAGE_SHAPE = -5


def main():
    name, cfg, rcs, f32 = sys.argv[1:5]
    oh, ow = int(sys.argv[5]), int(sys.argv[6])
    sizes = [(int(a), int(b)) for a, b in zip(sys.argv[7::2], sys.argv[8::2])]
    params = ref.params_from_config(json.load(open(cfg)))
    rcs = [line.split() for line in open(rcs).read().splitlines()]
    got = np.fromfile(f32, '<f4')
    bad = 0
    if len(rcs) != len(sizes) or got.size != len(sizes) * 3 * oh * ow:
        print(f'FAIL {name}: the driver wrote {len(rcs)} results, {got.size} floats')
        return 1
    got = got.reshape(len(sizes), 3, oh, ow)
    for k, (w, h) in enumerate(sizes):
        case = f'{name}-{w}x{h}'
        x, y = np.meshgrid(np.arange(w), np.arange(h))
        img = np.stack([(x * 7 + y * 13 + c * 29 + x * y) % 256 for c in range(3)], -1)
        want = ref.pipeline(img.astype(np.uint8), **params)
        if want.shape != (3, oh, ow):
            if rcs[k] == [str(E_IMAGE_SHAPE)] * 2:
                print(f'ok {case} (image-shape error: mmpretrain gives {want.shape[1:]})')
            else:
                print(f'FAIL {case}: rc {rcs[k]}, wanted the image-shape error ({want.shape})')
                bad += 1
        elif rcs[k] != ['0', '0']:
            print(f'FAIL {case}: rc {rcs[k]}')
            bad += 1
        elif not np.array_equal(got[k].view(np.uint32), want.view(np.uint32)):
            d = np.abs(got[k] - want)
            print(f'FAIL {case}: {int((d > 0).sum())} values differ, max {d.max():g}')
            bad += 1
        else:
            print(f'ok {case}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
