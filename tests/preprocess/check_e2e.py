"""End to end with libraries from 'mmcc build': the bundled CLIP p32 config(s), a checkpoint
in mmpretrain's layout made here (tests/py/make_model_ckpt.py, with a real-shaped pos_embed
grid), examples/classify built against the library through its pkg-config file, run on
images made here. Checks: <id>_preprocess_rgb8 == pipeline_ref.py exactly, <id>_classify_rgb8
logits vs tests/py/vit_ref.py fed by pipeline_ref.py within max|diff| <= 1e-5 max|ref|, the
printed top-5 (class names from the checkpoint's dataset_meta). p32@224 by default; with
MMCC_TEST_FULL=1 also p32@384 and p32@448. Both config generations: the bundled 0.x-style
configs/clip (Normalize: mmcv arithmetic) and the 1.x-style tests/configs-1x (data_preprocessor:
(x - mean) / std).
usage: check_e2e.py MMCC OUTDIR ROOT"""
import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.join(HERE, '..', 'py')
sys.path.insert(0, PYDIR)
import pipeline_ref as ref  # noqa: E402
from vit_ref import read_config  # noqa: E402

LINE = re.compile(r'^\s+(\d+)\. ([0-9.]+)  (.+) \(class (\d+)\)$')
bad = 0


def report(name, ok, why=''):
    global bad
    print(f'ok {name}' if ok else f'FAIL {name}: {why}')
    bad += not ok


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def images(d):
    rng = np.random.default_rng(21)
    yy, xx = np.mgrid[0:377, 0:503]
    base = np.stack([xx // 2, yy // 2, (xx + yy) % 256], -1)
    pic = np.clip(base + rng.integers(-50, 51, size=base.shape), 0, 255).astype(np.uint8)
    a = os.path.join(d, 'e2e-503x377.jpg')
    Image.fromarray(pic).save(a, quality=90)
    b = os.path.join(d, 'e2e-exif6-301x400.jpg')
    ex = Image.Exif()
    ex[0x0112] = 6
    Image.fromarray(pic[:301, :400]).save(b, quality=95, exif=ex.tobytes())
    c = os.path.join(d, 'e2e-303x500.png')
    Image.fromarray(pic[:303, :500]).save(c)
    return [a, b, c]


def main():
    mmcc, out, root = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    clip0 = os.path.join(root, 'configs', 'clip')                   # 0.x style: mmcv Normalize
    clip1 = os.path.join(root, 'tests', 'configs-1x', 'configs', 'clip')  # 1.x: data_preprocessor
    variants = [(clip0, 'vit-base-p32_pt-64xb64_in1k', 7, ''),
                (clip1, 'vit-base-p32_pt-64xb64_in1k', 7, '1x-')]
    if os.environ.get('MMCC_TEST_FULL'):
        variants += [(clip0, 'vit-base-p32_pt-64xb64_in1k-384px', 12, ''),
                     (clip0, 'vit-base-p32_pt-64xb64_in1k-448px', 14, ''),
                     (clip1, 'vit-base-p32_pt-64xb64_in1k-448px', 14, '1x-')]
    imgs = images(out)
    for cfg_dir, name, grid, style in variants:
        tag = 'e2e-' + style + name
        cfg_path = os.path.join(cfg_dir, name + '.py')
        ck = os.path.join(out, name + '.pth')
        r = run([sys.executable, os.path.join(PYDIR, 'make_model_ckpt.py'), cfg_path, ck, '--seed', '5',
                 '--pos-grid', str(grid)])
        if r.returncode != 0:
            report(tag + '-checkpoint', False, r.stderr[-300:])
            continue
        gen = os.path.join(out, 'gen')
        r = run([mmcc, 'build', cfg_path, '--checkpoint', ck, '--out', gen])
        libdir = os.path.join(gen, name)
        pcs = [f for f in os.listdir(libdir) if f.endswith('.pc')] if os.path.isdir(libdir) else []
        if r.returncode != 0 or len(pcs) != 1:
            report(tag + '-mmcc-build', False, f'exit {r.returncode}: {r.stderr[-300:]}')
            continue
        lib_id = pcs[0][:-3]
        bdir = os.path.join(out, 'bin-' + name)
        os.makedirs(bdir, exist_ok=True)
        r = run(['make', '-s', '-C', os.path.join(root, 'examples', 'classify'), f'LIB={libdir}',
                 f'ID={lib_id}', f'O={bdir}'])
        if r.returncode != 0:
            report(tag + '-build-classify', False, r.stderr[-300:])
            continue
        cfg = read_config(cfg_path)
        params = ref.params_from_config(cfg)
        classes = [f'class{i}' for i in range(1000)]  # make_model_ckpt's dataset_meta
        for img in imgs:
            itag = f'{tag}-{os.path.basename(img)}'
            fin, flog = os.path.join(out, 'in.f32'), os.path.join(out, 'logits.f32')
            r = run([os.path.join(bdir, 'classify'), '--threads', '2', '--save-input', fin,
                     '--save-logits', flog, img])
            if r.returncode != 0:
                report(itag, False, f'classify exit {r.returncode}: {r.stderr[-300:]}')
                continue
            top_out = r.stdout
            want_in = ref.pipeline(ref.load_image(img), **params)
            got_in = np.fromfile(fin, np.float32)
            report(f'{itag}-preprocess-exact',
                   got_in.size == want_in.size and np.array_equal(got_in.view(np.uint32), want_in.ravel().view(np.uint32)),
                   f'{int((got_in != want_in.ravel()).sum()) if got_in.size == want_in.size else "size"} values differ')
            ref_in = os.path.join(out, 'ref_in.f32')
            ref_out = os.path.join(out, 'ref_out.f32')
            want_in.astype(np.float32).tofile(ref_in)
            r = run([sys.executable, os.path.join(PYDIR, 'vit_ref.py'), cfg_path, ck, ref_in, '1', ref_out])
            if r.returncode != 0:
                report(f'{itag}-logits', False, f'vit_ref failed: {r.stderr[-300:]}')
                continue
            want = np.fromfile(ref_out, np.float32).astype(np.float64)
            got = np.fromfile(flog, np.float32).astype(np.float64)
            if got.shape != want.shape:
                report(f'{itag}-logits', False, f'{got.shape} logits, reference {want.shape}')
                continue
            err, tol = np.abs(got - want).max(), 1e-5 * np.abs(want).max()
            report(f'{itag}-logits (max|diff| {err:.2e} <= {tol:.2e})', err <= tol, f'max|diff| {err:.3g} > {tol:.3g}')
            printed = [(int(m.group(4)), m.group(3)) for m in
                       (LINE.match(ln) for ln in top_out.splitlines()) if m]
            order = sorted(range(len(want)), key=lambda i: -want[i])[:5]
            # the printed top 5 is the reference's, up to near-ties within the tolerance
            same = len(printed) == 5 and all(want[p] >= want[o] - 2 * tol for (p, _), o in zip(printed, order))
            names = all(nm == classes[i] for i, nm in printed)
            report(f'{itag}-top5-printed', same and names,
                   f'printed {printed}, reference order {order}')
        run(['rm', '-rf', gen, ck, bdir])
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
