"""examples/classify built against the stand-in library tests/preprocess/mocklib (the real
compiled pipeline + a fake model: logit j = element (j * 149) mod N of the input tensor), and
'mmcc run' on the same library. The expected numbers come from pipeline_ref.py on cv2.imread.
usage: check_classify.py CLASSIFY IMAGEDIR MMCC MOCKLIBDIR"""
import os
import re
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'py'))
import pipeline_ref as ref  # noqa: E402

LINE = re.compile(r'^\s+(\d+)\. ([0-9.]+)  (.+) \(class (\d+)\)$')
bad = 0


def report(name, ok, why=''):
    global bad
    if ok:
        print(f'ok {name}')
    else:
        print(f'FAIL {name}: {why}')
        bad += 1


def expected(path):
    x = ref.pipeline(ref.load_image(path), 224, 224, 'short', 'mmcv', ref.CLIP_MEAN, ref.CLIP_STD, True)
    flat = x.ravel()
    logits = flat[(np.arange(1000) * 149) % flat.size]
    p = np.exp(logits.astype(np.float64) - logits.max())
    p /= p.sum()
    order = sorted(range(1000), key=lambda i: (-float(logits[i]), i))[:5]
    return x, logits, order, p[order]


def parse(out):
    rows = [LINE.match(ln) for ln in out.splitlines()]
    return [(int(m.group(4)), float(m.group(2)), m.group(3)) for m in rows if m]


def check_output(name, out, order, probs):
    rows = parse(out)
    idx = [r[0] for r in rows]
    report(f'{name}-top5', idx == order and all(abs(r[1] - q) <= 6e-5 for r, q in zip(rows, probs))
           and all(r[2] != '?' for r in rows),
           f'printed {rows[:5]}, wanted classes {order} scores {np.round(probs, 4).tolist()}')


def main():
    exe, imgdir, mmcc, lib = sys.argv[1:5]
    work = os.path.join(imgdir, 'classify')
    os.makedirs(work, exist_ok=True)
    big = os.path.join(work, 'photo.jpg')
    rng = np.random.default_rng(9)
    Image.fromarray(rng.integers(0, 256, size=(375, 500, 3), dtype=np.uint8)).resize(
        (503, 377)).save(big, quality=90)
    images = [big, os.path.join(imgdir, 'orient6.jpg'), os.path.join(imgdir, 'png-RGBA.png'),
              os.path.join(imgdir, 'image.ppm')]
    for path in images:
        name = 'classify-' + os.path.basename(path)
        x, logits, order, probs = expected(path)
        fi, fl = os.path.join(work, 'input.f32'), os.path.join(work, 'logits.f32')
        r = subprocess.run([exe, '--save-input', fi, '--save-logits', fl, path], capture_output=True, text=True)
        if r.returncode != 0:
            report(name, False, f'exit {r.returncode}: {r.stderr.strip()[:200]}')
            continue
        check_output(name, r.stdout, order, probs)
        got_in = np.fromfile(fi, np.float32)
        report(f'{name}-preprocess-exact', np.array_equal(got_in.view(np.uint32), x.ravel().view(np.uint32)),
               f'{int((got_in != x.ravel()).sum())} values differ from pipeline_ref')
        got_l = np.fromfile(fl, np.float32)
        report(f'{name}-logits', np.array_equal(got_l, logits), 'logits differ')
        report(f'{name}-prints-time', re.search(r'time: [0-9.]+ ms', r.stdout) is not None, r.stdout[-200:])

    r = subprocess.run([exe, '--threads', '2', '--bench', '3', images[0]], capture_output=True, text=True)
    report('classify-bench', r.returncode == 0 and re.search(r'bench: 3 runs, min [0-9.]+ ms, median [0-9.]+ ms', r.stdout) is not None
           and 'time:' in r.stdout and '2 threads' in r.stdout, (r.stdout + r.stderr)[-300:])

    # extreme shapes at the size limit (the stand-in's workspace is exactly image + documented
    # preprocessing bytes; the sanitizers watch the bounds)
    for w, h in ((8192, 1), (1, 8192), (8192, 3), (5, 8192)):
        p = os.path.join(work, f'edge{w}x{h}.ppm')
        pix = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        open(p, 'wb').write(b'P6\n%d %d\n255\n' % (w, h) + pix.tobytes())
        r = subprocess.run([exe, p], capture_output=True, text=True)
        report(f'classify-extreme-{w}x{h}', r.returncode == 0 and len(parse(r.stdout)) == 5,
               f'exit {r.returncode}: {r.stderr.strip()[:200]}')

    # bad images: exit 1 with "FILE: error: ...", good ones in the same run still printed
    trunc = os.path.join(imgdir, 'bad-truncated-jpeg.img')
    huge = os.path.join(imgdir, 'bad-ppm-huge.img')
    for name, args, want in (('truncated', [trunc], 'truncated JPEG'),
                             ('too-large', [huge], 'larger than the 8192 x 8192 limit'),
                             ('missing', ['/nonexistent.jpg'], 'cannot open'),
                             ('unsupported', [os.path.join(imgdir, 'bad-text-file.img')], 'unsupported image format'),
                             ('mixed', [trunc, images[1]], 'truncated JPEG')):
        r = subprocess.run([exe] + args, capture_output=True, text=True)
        san = 'Sanitizer' in r.stderr or 'runtime error' in r.stderr
        good = name != 'mixed' or len(parse(r.stdout)) == 5
        report(f'classify-bad-{name}', r.returncode == 1 and want in r.stderr and 'error:' in r.stderr and not san and good,
               f'exit {r.returncode}: {r.stderr.strip()[:200]}')
    for name, args in (('no-image', []), ('threads-0', ['--threads', '0', big]), ('unknown-option', ['--frob', big])):
        r = subprocess.run([exe] + args, capture_output=True, text=True)
        report(f'classify-usage-{name}', r.returncode == 2 and r.stderr, f'exit {r.returncode}')

    # mmcc run: builds examples/classify in a temporary directory against LIB and runs it
    _, _, order, probs = expected(images[1])
    r = subprocess.run([mmcc, 'run', lib, images[1], '--top', '5'], capture_output=True, text=True)
    if r.returncode != 0:
        report('mmcc-run', False, f'exit {r.returncode}: {r.stderr.strip()[:300]}')
    else:
        check_output('mmcc-run', r.stdout, order, probs)
    r = subprocess.run([mmcc, 'run', lib, trunc], capture_output=True, text=True)
    report('mmcc-run-bad-image', r.returncode == 1 and 'truncated JPEG' in r.stderr, f'exit {r.returncode}: {r.stderr[:200]}')
    r = subprocess.run([mmcc, 'run', imgdir, images[1]], capture_output=True, text=True)
    report('mmcc-run-not-a-library', r.returncode == 1 and 'error' in r.stderr, f'exit {r.returncode}: {r.stderr[:200]}')
    r = subprocess.run([mmcc, 'run', lib], capture_output=True, text=True)
    report('mmcc-run-usage', r.returncode == 2, f'exit {r.returncode}')
    r = subprocess.run([mmcc, 'run', '--help'], capture_output=True, text=True)
    report('mmcc-run-help', r.returncode == 0 and 'usage: mmcc run' in r.stdout, f'exit {r.returncode}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
