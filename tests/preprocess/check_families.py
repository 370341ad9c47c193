"""The test pipelines of the ViT and ResNet families (facts-families.md section 5) through
mmrt_preprocess_rgb8 (ppdrv pipe, workspace of exactly MMRT_PREPROCESS_WORKSPACE_BYTES)
against tests/py/pipeline_ref.py (cv2 / Pillow / numpy, mmpretrain's arithmetic), 0 ulp:
  resnet      ResizeEdge(256) cv2 bilinear -> CenterCrop 224 -> ImageNet (x - mean) / std, RGB
  resnetv1c   ResizeEdge(256, backend='pillow') bilinear -> CenterCrop 224
  rsb         ResizeEdge(236, pillow, bicubic) -> CenterCrop 224
  vit384      ResizeEdge(384, pillow) bilinear -> CenterCrop 384, mean = std = 127.5
  deit384     Resize(scale=384, pillow, bicubic), no crop (aspect not kept)
  fixed-cv2   Resize(scale=(320, 256)) cv2 bilinear, no crop
  long/width/height-edge   ResizeEdge(S, edge=...) without a crop (output = the resized size)
  cifar10     no resize, no crop, 32x32, CIFAR-10 mean/std, to_rgb False
Both input channel orders. One ok/FAIL line per case; exit status 1 when any failed.
usage: check_families.py PPDRV | --count"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import pipeline_ref as ref  # noqa: E402

NORM = {'none': 0, 'mmcv': 1, 'div': 2}
EDGE = {'short': 0, 'long': 1, 'width': 2, 'height': 3, 'fixed': 4}
METHOD = {('pillow', 'bicubic'): 0, ('pillow', 'bilinear'): 1, ('cv2', 'bilinear'): 2}
IMNET = ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375])
CIFAR10 = ([125.307, 122.961, 113.8575], [51.5865, 50.847, 51.255])
IMAGES = [(500, 375), (375, 500), (256, 256), (1600, 1200), (257, 300), (224, 224), (1, 1),
          (333, 2), (301, 999)]

# name, dict(pipeline_ref.pipeline arguments), images
FAMILIES = [
    ('resnet', dict(scale=256, crop=224, backend='cv2', interpolation='bilinear'), IMAGES),
    ('resnetv1c', dict(scale=256, crop=224, backend='pillow', interpolation='bilinear'), IMAGES),
    ('rsb', dict(scale=236, crop=224, backend='pillow', interpolation='bicubic'), IMAGES[:6]),
    ('vit384', dict(scale=384, crop=384, backend='pillow', interpolation='bilinear',
                    mean=[127.5] * 3, std=[127.5] * 3), IMAGES[:7]),
    ('deit384', dict(scale=0, crop=0, fixed=(384, 384), backend='pillow',
                     interpolation='bicubic'), IMAGES[:7]),
    ('fixed-cv2', dict(scale=0, crop=0, fixed=(320, 256), backend='cv2',
                       interpolation='bilinear'), IMAGES[:7]),
    ('long-edge', dict(scale=64, crop=0, edge='long', backend='cv2', interpolation='bilinear'),
     [(500, 375), (375, 500), (90, 90)]),
    ('width-edge', dict(scale=100, crop=0, edge='width', backend='cv2',
                        interpolation='bilinear'), [(500, 375), (37, 80)]),
    ('height-edge', dict(scale=100, crop=0, edge='height', backend='pillow',
                         interpolation='bilinear'), [(500, 375), (80, 37)]),
    ('cifar10', dict(scale=0, crop=0, mean=CIFAR10[0], std=CIFAR10[1], to_rgb=False),
     [(32, 32)]),
]


def cases():
    out = []
    for name, kw, images in FAMILIES:
        for i, (w, h) in enumerate(images):
            out.append((name, kw, w, h, 'bgr' if i % 2 == 0 else 'rgb'))
    return out


def image(rng, w, h):
    yy, xx = np.mgrid[0:h, 0:w]
    noise = rng.integers(-60, 61, size=(h, w, 3))
    base = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx * 3 + yy * 5) % 256], -1)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def main():
    if sys.argv[1:] == ['--count']:
        print(len(cases()))
        return 0
    drv = sys.argv[1]
    rng = np.random.default_rng(21)
    bad = 0
    for name, kw, w, h, order in cases():
        case = f'{name}-{w}x{h}-{order}'
        kw = dict(dict(edge='short', norm='div', mean=IMNET[0], std=IMNET[1], to_rgb=True,
                       fixed=None), **kw)
        bgr = image(rng, w, h)
        want = ref.pipeline(bgr, kw['scale'], kw['crop'], kw['edge'], kw['norm'], kw['mean'],
                            kw['std'], kw['to_rgb'], backend=kw['backend'] if 'backend' in kw
                            else 'pillow', interpolation=kw.get('interpolation', 'bicubic'),
                            fixed=kw['fixed'])
        oh, ow = want.shape[1:]
        px = bgr if order == 'bgr' else np.ascontiguousarray(bgr[..., ::-1])
        method = METHOD[(kw.get('backend', 'pillow'), kw.get('interpolation', 'bicubic'))]
        edge = 'fixed' if kw['fixed'] else kw['edge']
        s = max(kw['fixed']) if kw['fixed'] else kw['scale']
        args = [drv, 'pipe', str(s), str(EDGE[edge]), str(kw['crop']), str(kw['crop']),
                str(oh), str(ow), str(NORM[kw['norm']]), str(int(kw['to_rgb'])),
                str(int(order == 'bgr')), str(w), str(h)] + \
            [repr(float(v)) for v in kw['mean']] + [repr(float(v)) for v in kw['std']] + \
            [str(method)]
        r = subprocess.run(args, input=px.tobytes(), capture_output=True)
        if r.returncode != 0 or len(r.stdout) != 4 * want.size:
            print(f'FAIL {case}: driver exit {r.returncode}: '
                  f'{(r.stdout[:40] + r.stderr[:200]).decode(errors="replace")}')
            bad += 1
            continue
        got = np.frombuffer(r.stdout, np.float32).reshape(want.shape)
        if not np.array_equal(got.view(np.uint32), want.astype(np.float32).view(np.uint32)):
            d = np.abs(got - want)
            print(f'FAIL {case}: {int((d > 0).sum())} of {d.size} values differ, max {d.max():g}')
            bad += 1
        else:
            print(f'ok {case} ({oh}x{ow})')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
