"""Resample sweep for the resize methods added after Pillow bicubic: the C resampler
(ppdrv resample, workspace of exactly the plan's bytes) against the real libraries, bit for bit:
  cv2   cv2.resize(img, (rw, rh), interpolation=cv2.INTER_LINEAR) (python3-opencv), 1 and 3
        channels, fixed shapes (2x/3x/4x exact up and down, one axis, 1-pixel sources and
        targets, odd sizes, 375x500 -> 256x341, 1200x1600) plus seeded random shapes, whole
        images and crop windows;
  pil   Image.resize(BILINEAR) (Pillow), 3 channels, check_resize.py's shapes, whole and window.
One ok/FAIL line per case; exit status 1 when any failed.
usage: check_resample.py PPDRV | --count"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import check_resize  # noqa: E402  (its SIZES)

CV2, PIL_BILINEAR = 2, 1  # mmrt_resize

CV_SIZES = [  # (w, h) -> (rw, rh)
    ((640, 480), (320, 240)), ((64, 64), (32, 32)), ((100, 75), (200, 150)),      # 2x
    ((300, 210), (100, 70)), ((50, 40), (150, 120)),                              # 3x
    ((400, 320), (100, 80)), ((20, 30), (80, 120)),                               # 4x
    ((200, 100), (100, 100)), ((200, 100), (200, 50)), ((200, 100), (400, 100)),  # one axis
    ((200, 100), (200, 100)),                                                     # same size
    ((1, 1), (224, 224)), ((1, 50), (30, 7)), ((50, 1), (7, 30)), ((1, 1), (1, 1)),
    ((50, 40), (1, 1)), ((50, 40), (1, 40)), ((50, 40), (50, 1)), ((2, 2), (1, 1)),
    ((37, 53), (448, 641)), ((65, 33), (32, 16)), ((999, 997), (1001, 1003)),     # odd
    ((513, 1023), (257, 511)), ((3, 2), (384, 256)), ((7, 1999), (5, 1311)),
    ((500, 375), (341, 256)), ((375, 500), (256, 341)),                           # ResizeEdge 256
    ((1600, 1200), (341, 256)), ((1200, 1600), (256, 341)),                       # big
    ((1053, 987), (224, 210)), ((4096, 33), (224, 31)),                           # 4.7x, extreme
]
# crop windows (x0, y0, fw, fh) of a resize, as the pipeline computes them
CV_WINDOWS = [
    ((500, 375), (341, 256), (58, 16, 224, 224)), ((375, 500), (256, 341), (16, 58, 224, 224)),
    ((1600, 1200), (341, 256), (58, 16, 224, 224)), ((37, 53), (448, 641), (100, 200, 5, 300)),
    ((64, 64), (32, 32), (31, 31, 1, 1)), ((1, 50), (30, 7), (29, 0, 1, 7)),
]


def image(rng, kind, w, h, cn):
    if kind == 'noise':
        return rng.integers(0, 256, size=(h, w, cn), dtype=np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    planes = [xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), ((xx + yy) * 7) % 256]
    return np.stack(planes[:cn], -1).astype(np.uint8)


def cases():
    rng = np.random.default_rng(11)
    out = []
    for (w, h), (rw, rh) in CV_SIZES:
        for cn, kind in ((1, 'noise'), (3, 'noise'), (3, 'smooth')):
            out.append(('cv2', cn, kind, w, h, rw, rh, (0, 0, rw, rh)))
    for (w, h), (rw, rh), win in CV_WINDOWS:
        out.append(('cv2', 3, 'noise', w, h, rw, rh, win))
    for _ in range(40):
        w, h, rw, rh = (int(v) for v in rng.integers(1, 700, size=4))
        out.append(('cv2', int(rng.choice([1, 3])), 'noise', w, h, rw, rh, (0, 0, rw, rh)))
    for (w, h), (rw, rh) in check_resize.SIZES:
        for kind in ('noise', 'smooth'):
            out.append(('pil', 3, kind, w, h, rw, rh, (0, 0, rw, rh)))
            if rw > 2 and rh > 2:
                out.append(('pil', 3, kind, w, h, rw, rh,
                            (rw // 3, rh // 4, rw - rw // 3 - 1, rh - rh // 4 - 1)))
    return out


def reference(method, img, rw, rh):
    if method == 'cv2':
        import cv2
        return cv2.resize(img, (rw, rh), interpolation=cv2.INTER_LINEAR).reshape(rh, rw, -1)
    from PIL import Image
    return np.array(Image.fromarray(img).resize((rw, rh), Image.BILINEAR))


def main():
    if sys.argv[1:] == ['--count']:
        print(len(cases()))
        return 0
    drv = sys.argv[1]
    rng = np.random.default_rng(12)
    bad = 0
    for method, cn, kind, w, h, rw, rh, (x0, y0, fw, fh) in cases():
        name = f'{method}-{kind}-c{cn}-{w}x{h}-to-{rw}x{rh}-win{x0},{y0},{fw}x{fh}'
        img = image(rng, kind, w, h, cn)
        want = reference(method, img, rw, rh)[y0:y0 + fh, x0:x0 + fw]
        r = subprocess.run([drv, 'resample', str(CV2 if method == 'cv2' else PIL_BILINEAR),
                            str(cn), str(w), str(h), str(rw), str(rh), str(x0), str(y0),
                            str(fw), str(fh)], input=img.tobytes(), capture_output=True)
        if r.returncode != 0 or len(r.stdout) != fw * fh * cn:
            print(f'FAIL {name}: driver exit {r.returncode}: {r.stderr.decode(errors="replace")[:200]}')
            bad += 1
            continue
        got = np.frombuffer(r.stdout, np.uint8).reshape(fh, fw, cn)
        if not np.array_equal(got, want):
            d = np.abs(got.astype(int) - want.astype(int))
            print(f'FAIL {name}: {int((d > 0).sum())} of {d.size} bytes differ, max {int(d.max())}')
            bad += 1
        else:
            print(f'ok {name}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
