"""examples/classify's image decoding (imgdump) against OpenCV (cv2.imread, IMREAD_COLOR:
what mmpretrain's LoadImageFromFile uses), on images made here with Pillow/OpenCV: JPEG with
every EXIF orientation, chroma subsampling variants, progressive, grayscale, CMYK; PNG of
every color type; binary PPM. Then bad files: exit 1, a clear message, no sanitizer report.
usage: check_decode.py IMGDUMP OUTDIR"""
import os
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image


def picture(w, h, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx * 5 + yy * 3) % 256], -1)
    return np.clip(base + rng.integers(-30, 31, size=(h, w, 3)), 0, 255).astype(np.uint8)


def exif_bytes(orientation, big_endian=False):
    if not big_endian:
        ex = Image.Exif()
        ex[0x010F] = 'mmcc test camera'   # Make: a string entry before the orientation
        ex[0x0112] = orientation
        ex[0x011A] = 72.0                  # XResolution: a rational after it
        return ex.tobytes()
    # hand-made big-endian ("MM") TIFF block with one entry
    import struct
    body = b'MM' + struct.pack('>HI', 42, 8) + struct.pack('>H', 1)
    body += struct.pack('>HHIHH', 0x0112, 3, 1, orientation, 0) + struct.pack('>I', 0)
    return b'Exif\x00\x00' + body


def make_cases(d):
    cases = []  # (name, path)
    for o in range(1, 9):
        p = os.path.join(d, f'orient{o}.jpg')
        Image.fromarray(picture(37, 23, o)).save(p, quality=92, exif=exif_bytes(o))
        cases.append((f'jpeg-exif-orientation-{o}', p))
    for o in (3, 6, 8):
        p = os.path.join(d, f'orient{o}-mm.jpg')
        Image.fromarray(picture(29, 17, o)).save(p, quality=90, exif=exif_bytes(o, True))
        cases.append((f'jpeg-exif-big-endian-orientation-{o}', p))
    # OpenCV reads the first APP1 segment only: an XMP segment before the Exif one hides it
    import struct
    data = open(os.path.join(d, 'orient6.jpg'), 'rb').read()
    xmp = b'http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>'
    p = os.path.join(d, 'xmp-first.jpg')
    open(p, 'wb').write(data[:2] + b'\xff\xe1' + struct.pack('>H', len(xmp) + 2) + xmp + data[2:])
    cases.append(('jpeg-xmp-before-exif', p))
    p = os.path.join(d, 'orient-bad-value.jpg')
    Image.fromarray(picture(20, 10, 1)).save(p, exif=exif_bytes(9))
    cases.append(('jpeg-exif-orientation-9-ignored', p))
    for sub, name in ((0, '444'), (1, '422'), (2, '420')):
        p = os.path.join(d, f'sub{name}.jpg')
        Image.fromarray(picture(101, 77, 11)).save(p, quality=85, subsampling=sub)
        cases.append((f'jpeg-subsampling-{name}', p))
    p = os.path.join(d, 'progressive.jpg')
    Image.fromarray(picture(64, 48, 12)).save(p, quality=80, progressive=True)
    cases.append(('jpeg-progressive', p))
    p = os.path.join(d, 'gray.jpg')
    Image.fromarray(picture(33, 31, 13)[..., 0]).save(p)
    cases.append(('jpeg-grayscale', p))
    p = os.path.join(d, 'cmyk.jpg')
    Image.fromarray(picture(30, 20, 14)).convert('CMYK').save(p)
    cases.append(('jpeg-cmyk', p))
    p = os.path.join(d, 'opencv.jpg')
    cv2.imwrite(p, picture(50, 40, 15))
    cases.append(('jpeg-written-by-opencv', p))
    rgb = picture(41, 27, 16)
    for mode in ('RGB', 'RGBA', 'L', 'LA', 'P', '1'):
        p = os.path.join(d, f'png-{mode}.png')
        im = Image.fromarray(rgb)
        im = im.convert(mode) if mode != 'RGBA' else Image.fromarray(np.dstack([rgb, rgb[..., 0]]))
        im.save(p)
        cases.append((f'png-{mode}', p))
    for o in (3, 6, 8):  # OpenCV 4.x applies a PNG's eXIf orientation too
        p = os.path.join(d, f'png-exif{o}.png')
        ex = Image.Exif()
        ex[0x0112] = o
        Image.fromarray(picture(41, 27, 20 + o)).save(p, exif=ex.tobytes())
        cases.append((f'png-exif-orientation-{o}', p))
    # eXIf after the image data (read into end_info)
    import struct
    blob = open(os.path.join(d, 'png-exif6.png'), 'rb').read()
    i = blob.index(b'eXIf') - 4
    n = struct.unpack('>I', blob[i:i + 4])[0]
    chunk, rest = blob[i:i + 12 + n], blob[:i] + blob[i + 12 + n:]
    j = rest.index(b'IEND') - 4
    p = os.path.join(d, 'png-exif-after-idat.png')
    open(p, 'wb').write(rest[:j] + chunk + rest[j:])
    cases.append(('png-exif-after-image-data', p))
    p = os.path.join(d, 'png-16bit.png')
    cv2.imwrite(p, (picture(19, 13, 17).astype(np.uint16) * 257 + 7))
    cases.append(('png-16bit', p))
    p = os.path.join(d, 'png-opencv.png')
    cv2.imwrite(p, rgb)
    cases.append(('png-written-by-opencv', p))
    p = os.path.join(d, 'image.ppm')
    Image.fromarray(picture(23, 19, 18)).save(p)
    cases.append(('ppm-p6', p))
    return cases


def bad_cases(d):
    good = os.path.join(d, 'sub420.jpg')
    data = open(good, 'rb').read()
    png = open(os.path.join(d, 'png-RGB.png'), 'rb').read()
    files = {
        'bad-truncated-jpeg': data[:len(data) // 2],
        'bad-truncated-jpeg-header': data[:40],
        'bad-truncated-png': png[:len(png) - 30],
        'bad-truncated-ppm': b'P6\n10 10\n255\n' + b'\x00' * 100,
        'bad-empty-file': b'',
        'bad-unsupported-format': b'GIF89a\x01\x00\x01\x00\x00\x00\x00;',
        'bad-text-file': b'hello, world\n',
        'bad-ppm-ascii': b'P3\n1 1\n255\n0 0 0\n',
        'bad-ppm-16bit': b'P6\n1 1\n65535\n' + b'\x00' * 6,
        'bad-ppm-zero-size': b'P6\n0 10\n255\n',
        'bad-ppm-huge': b'P6\n9000 9000\n255\n',
        'bad-ppm-garbage-header': b'P6\nxx yy\n255\n',
    }
    big = os.path.join(d, 'huge.jpg')
    Image.new('RGB', (8193, 8)).save(big)
    files['bad-jpeg-huge'] = open(big, 'rb').read()
    bigp = os.path.join(d, 'huge.png')
    Image.new('L', (8, 9000)).save(bigp)
    files['bad-png-huge'] = open(bigp, 'rb').read()
    # a JPEG whose SOF0 says height 0
    i = data.index(b'\xff\xc0')
    files['bad-jpeg-zero-height'] = data[:i + 5] + b'\x00\x00' + data[i + 7:]
    # a JPEG claiming 60000 x 60000
    files['bad-jpeg-dimensions-60000'] = data[:i + 5] + b'\xea\x60\xea\x60' + data[i + 9:]
    out = []
    for name, blob in files.items():
        p = os.path.join(d, name + '.img')
        open(p, 'wb').write(blob)
        out.append((name, p))
    out.append(('bad-missing-file', os.path.join(d, 'does-not-exist.jpg')))
    return out


def main():
    tool, d = sys.argv[1], sys.argv[2]
    os.makedirs(d, exist_ok=True)
    bad = 0
    for name, path in make_cases(d):
        want = cv2.imread(path, cv2.IMREAD_COLOR)
        want2 = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
        out = path + '.bgr'
        r = subprocess.run([tool, path, out], capture_output=True, text=True)
        if r.returncode != 0:
            print(f'FAIL {name}: imgdump failed: {r.stderr.strip()[:200]}')
            bad += 1
            continue
        w, h = map(int, r.stdout.split()[:2])
        got = np.fromfile(out, np.uint8).reshape(h, w, 3)
        if want is None or got.shape != want.shape:
            print(f'FAIL {name}: shape {got.shape} vs OpenCV {None if want is None else want.shape}')
            bad += 1
        elif not np.array_equal(got, want):
            print(f'FAIL {name}: {int((got != want).sum())} bytes differ from cv2.imread')
            bad += 1
        elif not np.array_equal(want, want2):
            print(f'FAIL {name}: cv2.imread and cv2.imdecode disagree (test premise)')
            bad += 1
        else:
            print(f'ok {name}')
    for name, path in bad_cases(d):
        r = subprocess.run([tool, path, path + '.bgr'], capture_output=True, text=True)
        san = 'Sanitizer' in r.stderr or 'runtime error' in r.stderr
        if r.returncode != 1 or san or 'error:' not in r.stderr:
            print(f'FAIL {name}: exit {r.returncode}: {r.stderr.strip()[:200]}')
            bad += 1
        else:
            print(f'ok {name}: {r.stderr.strip().split("error: ", 1)[1][:80]}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
