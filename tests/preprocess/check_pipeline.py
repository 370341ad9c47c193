"""Whole test pipeline: mmrt_preprocess_rgb8 (ppdrv pipe, workspace of exactly
MMRT_PREPROCESS_WORKSPACE_BYTES) against tests/py/pipeline_ref.py, 0 ulp, for the CLIP
geometries (S = 224, 384, 448, crop S, CLIP mean/std, to_rgb), both normalisations, both input
channel orders, and sizes that hit the crop rounding cases. One ok/FAIL line per case.
usage: check_pipeline.py PPDRV [--big]   (--big adds 8192-pixel sides)"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import pipeline_ref as ref  # noqa: E402

NORM = {'none': 0, 'mmcv': 1, 'div': 2}


def image(rng, w, h):
    xx = np.arange(w, dtype=np.int32)[None, :]
    yy = np.arange(h, dtype=np.int32)[:, None]
    img = np.empty((h, w, 3), np.uint8)
    noise = rng.integers(-40, 41, size=(h, w, 3), dtype=np.int16)
    for c, plane in enumerate((xx * 255 // max(w - 1, 1) + 0 * yy,
                               yy * 255 // max(h - 1, 1) + 0 * xx, (xx * 3 + yy * 5) % 256)):
        img[..., c] = np.clip(plane + noise[..., c], 0, 255)
    return img


def run_c(drv, img, order, s, crop, edge, norm, mean, std, to_rgb, out):
    h, w = img.shape[:2]
    args = [drv, 'pipe', str(s), str(int(edge == 'long')), str(crop), str(crop), str(out),
            str(out), str(NORM[norm]), str(int(to_rgb)), str(int(order == 'bgr')), str(w),
            str(h)] + [repr(float(m)) for m in mean] + [repr(float(v)) for v in std]
    r = subprocess.run(args, input=img.tobytes(), capture_output=True)
    if r.returncode != 0:
        return None, (r.stdout + r.stderr).decode(errors='replace')[:300]
    return np.frombuffer(r.stdout, np.float32).reshape(3, out, out), ''


def reference(img_bgr, s, crop, edge, norm, mean, std, to_rgb):
    h, w = img_bgr.shape[:2]
    rw, rh = ref.resize_edge_size(w, h, s, edge) if s else (w, h)
    if s and (w == 1 or h == 1) and rw * rh > 30_000_000:
        # A one-row (one-column) image: Pillow's vertical (horizontal) pass from a single row
        # (column) has the weight 1.0, 2^22 in fixed point: an identity. Resize the line
        # alone, then repeat it: the same bytes without a huge intermediate image.
        if h == 1:
            line = ref.pil_resize(img_bgr, (rw, 1))
            x1 = max(0, int(round((rw - crop) / 2.)))
            bgr = np.repeat(line[:, x1:x1 + crop], rh, axis=0)
        else:
            line = ref.pil_resize(img_bgr, (1, rh))
            y1 = max(0, int(round((rh - crop) / 2.)))
            bgr = np.repeat(line[y1:y1 + crop, :], rw, axis=1)
        bgr = ref.center_crop(np.ascontiguousarray(bgr), crop, crop)
        return ref.pipeline(bgr, 0, 0, edge, norm, mean, std, to_rgb)
    return ref.pipeline(img_bgr, s, crop, edge, norm, mean, std, to_rgb)


def main():
    drv = sys.argv[1]
    big = '--big' in sys.argv
    rng = np.random.default_rng(7)
    bad = 0
    cases = []
    for s in (224, 384, 448):
        sizes = [(s, s), (s + 77, s), (s + 79, s), (s, s + 77), (s, s + 79),  # crop only
                 (2 * (s + 77), 2 * s), (2 * (s + 79), 2 * s),                # odd diffs
                 (301, 400), (303, 400), (400, 301), (400, 303), (500, 375), (375, 500),
                 (640, 427), (97, 131), (1, 500), (500, 1), (1023, 17)]
        for (w, h) in sizes:
            for norm in ('mmcv', 'div'):
                for order in ('rgb', 'bgr'):
                    cases.append((w, h, s, s, 'short', norm, order, True))
    cases += [(400, 300, 224, 224, 'short', 'mmcv', 'bgr', False),   # BGR to the backbone
              (400, 300, 224, 224, 'short', 'none', 'rgb', True),
              (400, 300, 224, 160, 'long', 'div', 'rgb', True),      # long edge
              (300, 400, 224, 160, 'long', 'mmcv', 'bgr', True),
              (301, 260, 0, 224, 'short', 'div', 'rgb', True)]       # no resize
    if big:
        cases += [(8192, 8192, 224, 224, 'short', 'mmcv', 'rgb', True),
                  (8192, 8192, 448, 448, 'short', 'div', 'bgr', True),
                  (8192, 1, 448, 448, 'short', 'mmcv', 'rgb', True),
                  (1, 8192, 224, 224, 'short', 'div', 'rgb', True),
                  (8192, 449, 448, 448, 'short', 'div', 'rgb', True)]
    mmcv_numpy_ok = True
    for (w, h, s, crop, edge, norm, order, to_rgb) in cases:
        name = f'pipeline-{w}x{h}-S{s}-crop{crop}-{edge}-{norm}-{order}' + ('' if to_rgb else '-keepbgr')
        img = image(rng, w, h)
        bgr = img if order == 'bgr' else np.ascontiguousarray(img[..., ::-1])
        want = reference(bgr, s, crop, edge, norm, ref.CLIP_MEAN, ref.CLIP_STD, to_rgb)
        got, err = run_c(drv, img, order, s, crop, edge, norm, ref.CLIP_MEAN, ref.CLIP_STD,
                         to_rgb, crop)
        if got is None:
            print(f'FAIL {name}: {err}')
            bad += 1
        elif want.shape != got.shape or not np.array_equal(got.view(np.uint32), want.view(np.uint32)):
            d = np.abs(got.astype(np.float64) - want) if want.shape == got.shape else None
            print(f'FAIL {name}: ' + (f'{int((d > 0).sum())} values differ, max {d.max():.3g}'
                                       if d is not None else f'shape {want.shape}'))
            bad += 1
        else:
            print(f'ok {name}')
        if norm == 'mmcv' and w * h < 1_000_000:
            c = ref.center_crop(bgr, crop, crop)
            a = ref.normalize_mmcv(c, ref.CLIP_MEAN, ref.CLIP_STD, to_rgb)
            b = ref.normalize_mmcv_numpy(c, ref.CLIP_MEAN, ref.CLIP_STD, to_rgb)
            mmcv_numpy_ok &= bool(np.array_equal(a.view(np.uint32), b.view(np.uint32)))
    # ClsDataPreprocessor in torch (flip to RGB, float(), (x - mean) / std with float32
    # tensors) gives the same bits as the numpy model in pipeline_ref.normalize_div
    try:
        import torch
        img = image(rng, 97, 131)
        mean = torch.tensor(ref.CLIP_MEAN).view(-1, 1, 1)
        std = torch.tensor(ref.CLIP_STD).view(-1, 1, 1)
        t = torch.from_numpy(img).permute(2, 0, 1)[None].flip(1).float()
        t = ((t - mean) / std)[0].numpy()
        n = ref.normalize_div(img, ref.CLIP_MEAN, ref.CLIP_STD, True).transpose(2, 0, 1)
        if np.array_equal(t.view(np.uint32), np.ascontiguousarray(n).view(np.uint32)):
            print('ok data-preprocessor-numpy-equals-torch')
        else:
            print('FAIL data-preprocessor-numpy-equals-torch: values differ')
            bad += 1
    except ImportError:
        print('skip data-preprocessor-numpy-equals-torch: no torch')
    if mmcv_numpy_ok:
        print('ok mmcv-imnormalize-is-float64-arithmetic')
    else:
        print('FAIL mmcv-imnormalize-is-float64-arithmetic: cv2 and the numpy model differ')
        bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
