"""Resize sweep: the C resampler (ppdrv resize) against Pillow's Image.resize(BICUBIC),
bit for bit, whole images and crop windows. Prints one ok/FAIL line per case.
usage: check_resize.py PPDRV"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import pipeline_ref  # noqa: E402

SIZES = [  # (w, h) -> (rw, rh)
    ((640, 480), (224, 168)), ((480, 640), (168, 224)), ((500, 375), (298, 224)),  # down
    ((100, 80), (224, 179)), ((37, 53), (448, 641)), ((3, 2), (384, 256)),         # up
    ((301, 400), (224, 297)), ((303, 400), (224, 296)), ((400, 301), (297, 224)),
    ((225, 224), (224, 224)), ((224, 225), (224, 224)), ((223, 224), (224, 224)),  # +-1 px
    ((1, 1), (224, 224)), ((1, 1), (1, 1)), ((2, 2), (1, 1)), ((1, 7), (1, 3)),     # 1-px
    ((1, 500), (224, 112000 // 1000)), ((500, 1), (224, 1)), ((1, 500), (1, 224)),
    ((500, 1), (224, 3)), ((1000, 3), (448, 2)), ((7, 1999), (5, 1311)),           # extreme
    ((224, 300), (224, 301)), ((300, 224), (299, 224)), ((300, 224), (300, 100)),  # one pass
    ((300, 224), (150, 224)), ((224, 300), (224, 150)), ((4096, 33), (224, 31)),
    ((513, 1023), (257, 511)), ((999, 997), (1001, 1003)), ((64, 64), (63, 65)),
]


def run(drv, img, rw, rh, x0, y0, fw, fh):
    h, w = img.shape[:2]
    r = subprocess.run([drv, 'resize', str(w), str(h), str(rw), str(rh), str(x0), str(y0),
                        str(fw), str(fh)], input=img.tobytes(), capture_output=True)
    if r.returncode != 0:
        return None, r.stderr.decode(errors='replace')
    return np.frombuffer(r.stdout, np.uint8).reshape(fh, fw, 3), ''


def main():
    drv = sys.argv[1]
    rng = np.random.default_rng(5)
    bad = 0
    for (w, h), (rw, rh) in SIZES:
        # random noise stresses clipping; a smooth gradient stresses the rounding
        for kind in ('noise', 'smooth'):
            if kind == 'noise':
                img = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            else:
                yy, xx = np.mgrid[0:h, 0:w]
                img = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)),
                                ((xx + yy) * 7) % 256], -1).astype(np.uint8)
            ref = pipeline_ref.pil_resize(img, (rw, rh)) if (rw, rh) != (w, h) else img
            windows = [(0, 0, rw, rh)]
            if rw > 2 and rh > 2:
                windows.append((rw // 3, rh // 4, rw - rw // 3 - 1, rh - rh // 4 - 1))
            for x0, y0, fw, fh in windows:
                name = f'resize-{kind}-{w}x{h}-to-{rw}x{rh}-win{x0},{y0},{fw}x{fh}'
                got, err = run(drv, img, rw, rh, x0, y0, fw, fh)
                want = ref[y0:y0 + fh, x0:x0 + fw]
                if got is None:
                    print(f'FAIL {name}: driver failed: {err[:200]}')
                    bad += 1
                elif not np.array_equal(got, want):
                    d = np.abs(got.astype(int) - want.astype(int))
                    print(f'FAIL {name}: {int((d > 0).sum())} bytes differ, max {int(d.max())}')
                    bad += 1
                else:
                    print(f'ok {name}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
