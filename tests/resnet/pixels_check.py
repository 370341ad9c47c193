"""Pixels in: a compiled ResNet library's <id>_classify_rgb8 (classify_drv.c) on a seeded
image against mmpretrain's test pipeline done with OpenCV (cv2.resize INTER_LINEAR for
ResizeEdge(scale, 'short') with backend 'cv2'; CenterCrop with Python's round; to_rgb; (x -
mean) / std in float32) and the independent reference tests/py/resnet_ref.py: logits within
1e-5 x max|logit|. The pipeline's parameters are given here, not read from mmcc.

    pixels_check.py NAME DRIVER CONFIG.py CKPT.pth W H SCALE CROP TO_RGB MEAN0,1,2 STD0,1,2
        SCALE 0: no resize; CROP 0: no crop. Prints one protocol line; exit 0 or 1."""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'py'))
from resnet_ref import build, load  # noqa: E402


def pipeline(bgr, scale, crop, to_rgb, mean, std):
    img = bgr
    h, w = img.shape[:2]
    if scale:  # mmpretrain ResizeEdge, edge='short': int() truncates
        nw, nh = (scale, int(scale * h / w)) if w < h else (int(scale * w / h), scale)
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    if crop:  # mmcv CenterCrop: offsets int(round((H - h) / 2.)) (half to even)
        h, w = img.shape[:2]
        y1 = max(0, int(round((h - crop) / 2.)))
        x1 = max(0, int(round((w - crop) / 2.)))
        img = img[y1:y1 + crop, x1:x1 + crop]
    if to_rgb:
        img = img[..., ::-1]
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float()
    m = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
    return ((x - m) / s)[None]


def main(argv):
    if len(argv) != 11:
        raise SystemExit(__doc__)
    name, drv, cfg, ckpt = argv[:4]
    w, h, scale, crop, to_rgb = (int(a) for a in argv[4:9])
    mean = [float(v) for v in argv[9].split(',')]
    std = [float(v) for v in argv[10].split(',')]
    try:
        r = np.random.RandomState(7)
        yy, xx = np.mgrid[0:h, 0:w]
        smooth = np.stack([(xx * (3 + c) + yy * (5 - c)) % 256 for c in range(3)], -1)
        bgr = np.clip(smooth + r.randint(-40, 41, (h, w, 3)), 0, 255).astype(np.uint8)
        with tempfile.TemporaryDirectory() as d:
            bgr.tofile(os.path.join(d, 'img'))
            p = subprocess.run([drv, os.path.join(d, 'img'), str(w), str(h),
                                os.path.join(d, 'out')], capture_output=True, text=True)
            if p.returncode:
                print(f'FAIL {name}: classify_drv exit {p.returncode}: {p.stderr.strip()[:300]}')
                return 1
            got = np.fromfile(os.path.join(d, 'out'), '<f4').astype(np.float64)
        model = load(build(cfg), ckpt)
        with torch.no_grad():
            want = model(pipeline(bgr, scale, crop, to_rgb, mean, std))[0].numpy().astype(np.float64)
        if got.shape != want.shape:
            print(f'FAIL {name}: {got.size} logits, the reference has {want.size}')
            return 1
        err = float(np.abs(got - want).max() / np.abs(want).max())
        if not np.isfinite(got).all() or err > 1e-5:
            print(f'FAIL {name}: max error {err:.3g} x max|logit| (limit 1e-05)')
            return 1
        print(f'ok {name} ({w}x{h} image, {err:.2g} x max|logit|)')
        return 0
    except Exception as e:
        print(f'FAIL {name}: {type(e).__name__}: {e}')
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
