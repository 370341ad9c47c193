"""Reference of mmpretrain's test pipeline, written from the upstream sources (independent of
mmcc's C runtime), for Debian's /usr/bin/python3 (numpy, Pillow 9.4, OpenCV 4.6).

  LoadImageFromFile   mmcv imfrombytes/imread with the cv2 backend: BGR uint8, EXIF applied
  ResizeEdge          mmpretrain datasets/transforms/processing.py (v1.2.0), and mmcls 0.x
  / Resize(size=(S,-1))  datasets/pipelines/transforms.py: the edge ('short', 'long', 'width',
                      'height') becomes S, the other side int(S * other / edge); defaults
                      backend='cv2', interpolation='bilinear'
  Resize(scale=S)     mmcv 2.x transforms/processing.py, keep_ratio=False: exactly (w, h)
                      (an int S means (S, S))
  mmcv.imresize       mmcv image/geometric.py: backend 'pillow' =
                      Image.fromarray(img).resize(size, BILINEAR | BICUBIC), back to numpy;
                      backend 'cv2' = cv2.resize(img, size, interpolation=INTER_LINEAR |
                      INTER_CUBIC)
  CenterCrop          mmcv transforms/processing.py (and mmcls 0.x): offsets
                      max(0, int(round((H - h) / 2.)))
  Normalize (0.x)     mmcv 1.x imnormalize: float32 image, cv2.subtract(img, float64(mean)),
                      cv2.multiply(img, 1 / float64(std)); mean/std are float32 arrays
  data_preprocessor   mmpretrain 1.x ClsDataPreprocessor: flip to RGB, float(), (x - mean) / std
  (1.x)               with float32 tensors

Command line (prints nothing, writes float32 CHW):
  pipeline_ref.py IMAGE_FILE OUT.f32 --scale S --crop C [--edge short|long|width|height]
                  [--backend pillow|cv2] [--interpolation bicubic|bilinear]
                  [--norm mmcv|div|none] [--mean M M M --std S S S] [--no-to-rgb]
"""
import argparse
import sys

import numpy as np
from PIL import Image

CLIP_MEAN = [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255]
CLIP_STD = [0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255]


def resize_edge_size(w, h, scale, edge='short'):
    """(width, height) after ResizeEdge / Resize(size=(scale, -1), adaptive_side=edge)."""
    if edge not in ('short', 'long', 'width', 'height'):
        raise ValueError(f'edge {edge!r}')
    if (edge == 'short' and w < h) or (edge == 'long' and w > h) or edge == 'width':
        return scale, int(scale * h / w)
    return int(scale * w / h), scale


def pil_resize(img, size, interpolation='bicubic'):
    """mmcv.imresize(img, size, interpolation, backend='pillow'); size = (w, h)."""
    assert img.dtype == np.uint8
    pil = Image.fromarray(img)
    assert pil.mode == ('RGB' if img.ndim == 3 else 'L')
    codes = {'bicubic': Image.BICUBIC, 'bilinear': Image.BILINEAR}
    return np.array(pil.resize(size, codes[interpolation]))


def cv2_resize(img, size, interpolation='bilinear'):
    """mmcv.imresize(img, size, interpolation, backend='cv2'); size = (w, h)."""
    import cv2
    codes = {'bilinear': cv2.INTER_LINEAR, 'bicubic': cv2.INTER_CUBIC}
    return cv2.resize(img, size, interpolation=codes[interpolation])


def imresize(img, size, backend='cv2', interpolation='bilinear'):
    """mmcv.imresize with mmcv's defaults (backend 'cv2', 'bilinear')."""
    if backend == 'pillow':
        return pil_resize(img, size, interpolation)
    if backend == 'cv2':
        return cv2_resize(img, size, interpolation)
    raise ValueError(f'backend {backend!r}')


def center_crop(img, crop_h, crop_w):
    h, w = img.shape[:2]
    crop_h, crop_w = min(crop_h, h), min(crop_w, w)
    y1 = max(0, int(round((h - crop_h) / 2.)))
    x1 = max(0, int(round((w - crop_w) / 2.)))
    y2 = min(h, y1 + crop_h) - 1
    x2 = min(w, x1 + crop_w) - 1
    return img[y1:y2 + 1, x1:x2 + 1, ...]


def normalize_mmcv(img_bgr, mean, std, to_rgb):
    """mmcv 1.x imnormalize; returns HWC float32."""
    import cv2
    mean = np.array(mean, dtype=np.float32)  # mmcls 0.x Normalize.__init__
    std = np.array(std, dtype=np.float32)
    img = img_bgr.copy().astype(np.float32)
    mean64 = np.float64(mean.reshape(1, -1))
    stdinv = 1 / np.float64(std.reshape(1, -1))
    if to_rgb:
        cv2.cvtColor(img, cv2.COLOR_BGR2RGB, img)
    cv2.subtract(img, mean64, img)
    cv2.multiply(img, stdinv, img)
    return img


def normalize_mmcv_numpy(img_bgr, mean, std, to_rgb):
    """The same as normalize_mmcv in numpy: OpenCV computes both steps in float64 and stores
    float32 (checked against cv2 by tests/preprocess/check_pipeline.py)."""
    mean = np.array(mean, dtype=np.float32).astype(np.float64)
    stdinv = 1 / np.array(std, dtype=np.float32).astype(np.float64)
    img = img_bgr[..., ::-1] if to_rgb else img_bgr
    d = (img.astype(np.float64) - mean).astype(np.float32)
    return (d.astype(np.float64) * stdinv).astype(np.float32)


def normalize_div(img_bgr, mean, std, to_rgb):
    """mmpretrain 1.x ClsDataPreprocessor on one image; returns HWC float32."""
    mean = np.array(mean, dtype=np.float32)  # torch.tensor(mean): float32
    std = np.array(std, dtype=np.float32)
    img = img_bgr[..., ::-1] if to_rgb else img_bgr
    return (img.astype(np.float32) - mean) / std


def pipeline(img, scale, crop, edge='short', norm='mmcv', mean=None, std=None, to_rgb=True,
             channel_order='bgr', backend='pillow', interpolation='bicubic', fixed=None):
    """img: HxWx3 uint8 in channel_order. Returns the 3 x H x W float32 tensor.
    fixed=(w, h): mmcv Resize(scale=(w, h)) without keep_ratio instead of the edge resize.
    (backend and interpolation default to the CLIP configs' pillow bicubic.)"""
    if mean is None:
        mean, std = CLIP_MEAN, CLIP_STD
    bgr = np.ascontiguousarray(img if channel_order == 'bgr' else img[..., ::-1])
    if scale or fixed:
        h, w = bgr.shape[:2]
        size = tuple(fixed) if fixed else resize_edge_size(w, h, scale, edge)
        if min(size) < 1:
            raise ValueError(f'resize of {w}x{h} to {size}')
        if size != (w, h):  # Pillow and cv2 return the same pixels for the same size
            bgr = imresize(bgr, size, backend, interpolation)
    if crop:
        bgr = center_crop(bgr, crop, crop)
    if norm == 'mmcv':
        out = normalize_mmcv(bgr, mean, std, to_rgb)
    elif norm == 'div':
        out = normalize_div(bgr, mean, std, to_rgb)
    else:
        out = (bgr[..., ::-1] if to_rgb else bgr).astype(np.float32)
    return np.ascontiguousarray(out.transpose(2, 0, 1))


def params_from_config(cfg):
    """The test pipeline of a resolved config (dict), as keyword arguments of pipeline():
    0.x style (data.test.pipeline with Resize(size=(S, -1)), CenterCrop, Normalize: mmcv
    arithmetic, to_rgb default True) or 1.x style (test_dataloader.dataset.pipeline with
    ResizeEdge, CenterCrop; model.data_preprocessor or data_preprocessor: (x - mean) / std,
    to_rgb default False)."""
    if 'test_dataloader' in cfg:
        pipe = cfg['test_dataloader']['dataset']['pipeline']
    elif 'data' in cfg and 'test' in cfg['data']:
        pipe = cfg['data']['test']['pipeline']
    else:
        pipe = cfg['test_pipeline']
    out = dict(scale=0, crop=0, edge='short', norm='none', mean=None, std=None, to_rgb=False,
               backend='cv2', interpolation='bilinear', fixed=None)
    for t in pipe:
        kind = t['type'].split('.')[-1]
        if kind in ('ResizeEdge', 'Resize'):
            out['backend'] = t.get('backend', 'cv2')
            out['interpolation'] = t.get('interpolation', 'bilinear')
        if kind == 'ResizeEdge':
            out['scale'], out['edge'] = t['scale'], t.get('edge', 'short')
        elif kind == 'Resize' and 'scale' in t:  # mmcv 2.x
            if t.get('keep_ratio', False) or t.get('scale_factor') is not None:
                raise ValueError('Resize: only scale= without keep_ratio is modelled')
            sc = t['scale']
            out['fixed'] = (sc, sc) if isinstance(sc, int) else tuple(sc)
        elif kind == 'Resize':
            size = t['size']
            if not isinstance(size, (list, tuple)) or size[1] != -1:
                raise ValueError(f'Resize {size!r}: only Resize(size=(S, -1)) is modelled')
            out['scale'], out['edge'] = size[0], t.get('adaptive_side', 'short')
        elif kind == 'CenterCrop':
            c = t['crop_size']
            out['crop'] = c if isinstance(c, int) else c[0]
        elif kind == 'Normalize':
            out.update(norm='mmcv', mean=t['mean'], std=t['std'], to_rgb=t.get('to_rgb', True))
    pre = cfg.get('model', {}).get('data_preprocessor') or cfg.get('data_preprocessor')
    if out['norm'] == 'none' and pre and pre.get('mean') is not None:
        out.update(norm='div', mean=pre['mean'], std=pre['std'], to_rgb=pre.get('to_rgb', False))
    elif out['norm'] == 'none' and pre:
        out['to_rgb'] = pre.get('to_rgb', False)
    return out


def load_image(path):
    """mmcv LoadImageFromFile (cv2 backend, color): BGR uint8 with EXIF orientation applied."""
    import cv2
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f'{path}: cannot decode')
    return img


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('image')
    ap.add_argument('out')
    ap.add_argument('--scale', type=int, required=True)
    ap.add_argument('--crop', type=int, required=True)
    ap.add_argument('--edge', default='short', choices=['short', 'long', 'width', 'height'])
    ap.add_argument('--backend', default='pillow', choices=['pillow', 'cv2'])
    ap.add_argument('--interpolation', default='bicubic', choices=['bicubic', 'bilinear'])
    ap.add_argument('--norm', default='mmcv', choices=['mmcv', 'div', 'none'])
    ap.add_argument('--mean', type=float, nargs=3, default=CLIP_MEAN)
    ap.add_argument('--std', type=float, nargs=3, default=CLIP_STD)
    ap.add_argument('--no-to-rgb', action='store_true')
    a = ap.parse_args(argv)
    x = pipeline(load_image(a.image), a.scale, a.crop, a.edge, a.norm, a.mean, a.std,
                 not a.no_to_rgb, backend=a.backend, interpolation=a.interpolation)
    x.astype(np.float32).tofile(a.out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
