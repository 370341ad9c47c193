#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses under tests/fuzz/corpus/ (committed; rerun
to regenerate): small checkpoints made with torch (zip, pickle, safetensors), images made with
Pillow (JPEG, PNG, PPM, EXIF orientations), preprocess argument records, and copies of the
test suite's configs and metafiles. Kept small: tensors of a few elements.

  make_corpus.py [ROOT]      ROOT: the repository (default: two levels up)
"""
import collections
import io
import os
import shutil
import struct
import sys
import zipfile

import numpy as np
import torch
from PIL import Image

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
import make_checkpoints as mc  # noqa: E402  (state dict layouts, safetensors writer)

C = os.path.join(ROOT, "tests", "fuzz", "corpus")


def out(name, sub, data):
    d = os.path.join(C, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, sub), "wb") as f:
        f.write(data)


def tiny_sd(gen, dtype=torch.float32):
    return mc.vit_state_dict(gen, D=2, L=1, F=2, P=1, grid=1, C=2, dtype=dtype)


def torch_bytes(obj, **kw):
    b = io.BytesIO()
    torch.save(obj, b, **kw)
    return b.getvalue()


def checkpoints():
    gen = torch.Generator().manual_seed(5)
    base = tiny_sd(gen)
    small = collections.OrderedDict(list(base.items())[:4])
    pths = {
        "f32_wrapped": {"state_dict": small, "meta": {"epoch": np.int64(3),
                        "dataset_meta": {"classes": ["a", "b"]}, "cfg": mc.ConfigLike(x=1)}},
        "bare": small,
        "f16": collections.OrderedDict((k, v.half()) for k, v in small.items()),
        "bf16_model": {"model": collections.OrderedDict((k, v.bfloat16()) for k, v in small.items())},
        "f64_module": {"module": collections.OrderedDict(("module." + k, v.double())
                                                         for k, v in small.items())},
        "noncontig": {"state_dict": collections.OrderedDict(
            [("t", torch.randn(3, 4, generator=gen).t()), ("e", torch.randn(1, 3, generator=gen).expand(2, 3)),
             ("s", torch.tensor(1.5)), ("z", torch.zeros(0, 2)), ("p", torch.nn.Parameter(torch.ones(2)))])},
        "rich_meta": {"state_dict": {"w": torch.ones(2)}, "meta": {
            "big": 2 ** 80, "neg": -(2 ** 40), "set": {1, 2}, "frozen": frozenset({"x"}),
            "bytes": b"\x00\xff", "custom": mc.CustomMeta(1), "t": (1, 2.5, None, True),
            "CLASSES": ("x", "y")}},
    }
    for name, obj in pths.items():
        data = torch_bytes(obj)
        out("zip", name + ".pth", data)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            out("pickle", name + ".pkl", z.read(pkl))
    for proto in (2, 4, 5):
        out("pickle", "proto%d.pkl" % proto, zipfile.ZipFile(io.BytesIO(torch_bytes(
            {"state_dict": small, "meta": {"k": [1, "s", 2.0]}}, pickle_protocol=proto))).read(
            "archive/data.pkl"))
    out("zip", "legacy.pth", torch_bytes(small, _use_new_zipfile_serialization=False))
    # safetensors (also seeds the zip harness's format sniffing)
    st = os.path.join(C, "safetensors")
    os.makedirs(st, exist_ok=True)
    mc.save_safetensors(os.path.join(st, "f32.safetensors"), small, metadata={"format": "pt"})
    mc.save_safetensors(os.path.join(st, "f16_nopad.safetensors"),
                        collections.OrderedDict((k, v.half()) for k, v in small.items()), pad=False)
    mc.save_safetensors(os.path.join(st, "bf16.safetensors"),
                        collections.OrderedDict((k, v.bfloat16()) for k, v in small.items()))
    mc.save_safetensors(os.path.join(st, "f64_edge.safetensors"), collections.OrderedDict(
        [("module.x", torch.tensor([1e300, -0.0], dtype=torch.float64)), ("s", torch.tensor(2.0)),
         ("e", torch.zeros(0, 3)), ("u\u00e9", torch.ones(1))]))
    out("safetensors", "empty.safetensors", struct.pack("<Q", 2) + b"{}")


def images():
    rng = np.random.default_rng(3)
    rgb = Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8))
    def save(name, im, **kw):
        b = io.BytesIO()
        im.save(b, **kw)
        out("image", name, b.getvalue())
    save("rgb.jpg", rgb, format="JPEG", quality=80)
    save("gray.jpg", rgb.convert("L"), format="JPEG")
    save("cmyk.jpg", rgb.convert("CMYK"), format="JPEG")
    save("progressive.jpg", rgb, format="JPEG", progressive=True)
    save("sub420.jpg", rgb.resize((17, 9)), format="JPEG", subsampling=2)
    for o in (3, 6, 8):
        ex = Image.Exif()
        ex[0x0112] = o
        ex[0x010F] = "fuzzcam maker string"
        save("exif%d.jpg" % o, rgb, format="JPEG", exif=ex.tobytes())
        save("exif%d.png" % o, rgb, format="PNG", exif=ex.tobytes())
    save("rgb.png", rgb, format="PNG")
    save("rgba.png", rgb.convert("RGBA"), format="PNG")
    save("palette.png", rgb.convert("P"), format="PNG")
    save("gray1.png", rgb.convert("1"), format="PNG")
    save("gray16.png", Image.fromarray(rng.integers(0, 65535, (4, 3), dtype=np.uint16)), format="PNG")
    save("la.png", rgb.convert("LA"), format="PNG")
    save("interlaced.png", rgb.resize((9, 9)), format="PNG", interlace=1)  # Pillow may ignore it
    out("image", "rgb.ppm", b"P6\n# comment\n7 5\n255\n" + rgb.tobytes())
    out("image", "bad_maxval.ppm", b"P6 2 1 65535\n" + bytes(12))
    # a little-endian and a big-endian TIFF block for exif_orientation on raw input
    out("image", "tiff_le.bin", b"II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00")
    out("image", "tiff_be.bin", b"MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00")


def preprocess():
    # byte 0: library / misuse / order; 1-2 width, 3-4 height (see fuzz_preprocess.c); 5 padding + 8
    def rec(name, b0, w, h, pad, px):
        enc = lambda v: v + 4 if v < 252 else 0x8000 | (v + 4)  # noqa: E731
        out("preprocess", name, bytes([b0]) + struct.pack("<HH", enc(w), enc(h)) + bytes([pad + 8]) + px)
    px = bytes(range(256)) * 2
    rec("a_64x48", 0, 64, 48, 0, px)
    rec("a_40x40_pad", 0x10, 40, 40, 5, px)
    rec("b_20x24", 1, 20, 24, 0, px)
    rec("b_1x300", 1, 1, 300, 3, px)
    rec("a_8192x2", 0, 8192, 2, 0, px)
    rec("a_small", 0, 3, 2, 0, px)          # too small for the crop? the pipeline decides
    rec("a_empty", 0, 0, 5, 0, px)
    rec("a_toolarge", 0, 8193, 40, 0, px)
    rec("a_badstride", 0, 50, 50, -8, px)
    for m in range(1, 6):
        rec("misuse%d" % m, m << 1, 50, 60, 0, px)


def texts():
    cfg = [os.path.join(ROOT, "configs", "clip", f) for f in sorted(os.listdir(os.path.join(ROOT, "configs", "clip"))) if f.endswith(".py")][:2]
    for sub in ("errors", "eval", "merge"):
        d = os.path.join(ROOT, "tests", "config", sub)
        for dirpath, _, files in sorted(os.walk(d)):
            cfg += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py")]
    cfg += [os.path.join(ROOT, "tests", "build", "tiny-a.py"), os.path.join(ROOT, "tests", "models", "tiny-pipeline.py")]
    os.makedirs(os.path.join(C, "cfg"), exist_ok=True)
    for p in cfg:
        if os.path.getsize(p) <= 4096:
            shutil.copy(p, os.path.join(C, "cfg", os.path.relpath(p, ROOT).replace("/", "_")))
    metas = [os.path.join(ROOT, "tests", "models", "meta", f) for f in sorted(os.listdir(os.path.join(ROOT, "tests", "models", "meta")))]
    metas += [os.path.join(ROOT, "tests", "build", "metafile.yml")]
    os.makedirs(os.path.join(C, "meta"), exist_ok=True)
    for p in metas:
        shutil.copy(p, os.path.join(C, "meta", os.path.relpath(p, ROOT).replace("/", "_")))
    # the first two models of the bundled metafile (the whole file is 11 KB)
    with open(os.path.join(ROOT, "configs", "clip", "metafile.yml")) as f:
        text = f.read()
    cut = text.find("  - Name:", text.find("  - Name:", text.find("Models:")) + 1)
    out("meta", "configs_clip_metafile_head.yml", text[:cut].encode())


if __name__ == "__main__":
    shutil.rmtree(C, ignore_errors=True)
    checkpoints()
    images()
    preprocess()
    texts()
    for name in sorted(os.listdir(C)):
        files = os.listdir(os.path.join(C, name))
        print("%-12s %3d files %7d bytes" % (name, len(files), sum(os.path.getsize(os.path.join(C, name, f)) for f in files)))
