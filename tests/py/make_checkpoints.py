#!/usr/bin/env python3
"""Checkpoints for mmcc's checkpoint tests, made with torch at test time, and the reference
comparison (torch.load is the independent reference for what mmcc must read).

  make_checkpoints.py tiny DIR            tiny ViT state dicts in every layout/dtype variant,
                                          plus safetensors twins; writes DIR/manifest.txt
                                          (one "FILE REFERENCE.pth" per line)
  make_checkpoints.py clip DIR PATCH GRID one float32 full-size CLIP ViT-B checkpoint (mmpretrain
                                          key layout, pos_embed with 1+GRID*GRID rows), named
                                          ..._20221220-<first 8 hex of its sha256>.pth; prints path
  make_checkpoints.py bad DIR             damaged/unsupported files; writes DIR/bad.txt
                                          (one "FILE<TAB>REGEX" per line: the expected error)
  make_checkpoints.py fuzz DIR N          N randomly damaged files (pickle bytes behind a valid
                                          CRC, zip records, safetensors headers); DIR/fuzz.txt
  make_checkpoints.py compare-all MMCC MANIFEST TAG
                                          compare for every manifest line; prints the test
                                          protocol ("ok TAG-FILE" / "FAIL TAG-FILE: why")
  make_checkpoints.py compare MMCC FILE REF.pth
                                          mmcc must list exactly REF's tensors (names in order,
                                          dtypes, shapes, bytes), meta keys and classes, and
                                          --dump-all must be bit-identical to torch's .float()

safetensors is written here by hand (Debian has no safetensors package): 8-byte little-endian
header length, JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, data.
"""
import collections
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import torch


class CustomMeta:
    """A user class inside 'meta': mmcc must treat it as an opaque value."""

    def __init__(self, x):
        self.x = x
        self.nested = {"a": (1, 2.5, "s"), "b": [None, True, b"\x00\x01"]}


class ConfigLike(dict):
    """A dict subclass (like mmengine's ConfigDict): pickled via NEWOBJ + SETITEMS."""


# {====================================================================== state dicts

def vit_state_dict(gen, D=32, L=2, F=64, P=4, grid=4, C=5, dtype=torch.float32):
    """mmpretrain VisionTransformer + VisionTransformerClsHead names and shapes (pre_norm=True:
    the patch embedding has no bias)."""
    def r(*shape):
        return torch.randn(*shape, generator=gen).to(dtype)
    sd = collections.OrderedDict()
    sd["backbone.cls_token"] = r(1, 1, D)
    sd["backbone.pos_embed"] = r(1, 1 + grid * grid, D)
    sd["backbone.patch_embed.projection.weight"] = r(D, 3, P, P)
    sd["backbone.pre_norm.weight"] = r(D)
    sd["backbone.pre_norm.bias"] = r(D)
    for i in range(L):
        p = "backbone.layers.%d." % i
        sd[p + "ln1.weight"] = r(D)
        sd[p + "ln1.bias"] = r(D)
        sd[p + "attn.qkv.weight"] = r(3 * D, D)
        sd[p + "attn.qkv.bias"] = r(3 * D)
        sd[p + "attn.proj.weight"] = r(D, D)
        sd[p + "attn.proj.bias"] = r(D)
        sd[p + "ln2.weight"] = r(D)
        sd[p + "ln2.bias"] = r(D)
        sd[p + "ffn.layers.0.0.weight"] = r(F, D)
        sd[p + "ffn.layers.0.0.bias"] = r(F)
        sd[p + "ffn.layers.1.weight"] = r(D, F)
        sd[p + "ffn.layers.1.bias"] = r(D)
    sd["backbone.ln1.weight"] = r(D)
    sd["backbone.ln1.bias"] = r(D)
    sd["head.layers.head.weight"] = r(C, D)
    sd["head.layers.head.bias"] = r(C)
    return sd


def rich_meta(classes):
    return {
        "epoch": np.int64(12),
        "lr": np.float64(0.001),
        "flag": np.bool_(True),
        "arr": np.arange(6, dtype=np.float32).reshape(2, 3),
        "custom": CustomMeta(3),
        "cfg": ConfigLike(model="vit", depth=12),
        "set": {1, 2, 3},
        "frozen": frozenset({"x"}),
        "big": 2 ** 80,
        "neg": -(2 ** 40),
        "bytes": b"\xff" * 300,
        "dataset_meta": {"classes": classes},
        "mmengine_version": "0.7.0",
    }


def noncontiguous_views(sd, gen):
    """Same values, stored as views: transposes, slices at an offset, one storage shared by
    several tensors, a stride-0 expand, an empty and a 0-d tensor."""
    out = collections.OrderedDict()
    shared_parts = [k for k in sd if k.endswith("ffn.layers.0.0.weight")]
    big = torch.cat([sd[k].reshape(-1) for k in shared_parts] + [torch.zeros(7)])
    at = 0
    for k, v in sd.items():
        if k in shared_parts:  # views into one shared storage at increasing offsets
            n = v.numel()
            out[k] = big[at:at + n].view(v.shape)
            at += n
        elif v.dim() == 2:  # transpose of a transposed copy: non-contiguous
            out[k] = v.t().contiguous().t()
        elif v.dim() == 1:  # slice with an offset and a step out of a larger storage
            host = torch.randn(3 * v.numel() + 5, generator=gen)
            host[5::3] = v
            out[k] = host[5::3]
        elif v.dim() == 4:  # permuted
            out[k] = v.permute(2, 3, 0, 1).contiguous().permute(2, 3, 0, 1)
        else:
            out[k] = v
    out["extra.expanded"] = torch.randn(1, 5, generator=gen).expand(4, 5)
    out["extra.empty"] = torch.zeros(0, 3)
    out["extra.scalar"] = torch.tensor(2.5)
    out["extra.column"] = torch.randn(6, 4, generator=gen)[1:5, 2]
    return out


def all_bits(dtype):
    """Every 16-bit pattern (inf, NaN, subnormals included) as one float16/bfloat16 tensor."""
    return torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(dtype)

# }======================================================================

# {====================================================================== safetensors

ST_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
            torch.float64: "F64"}
INT_OF_SIZE = {2: torch.int16, 4: torch.int32, 8: torch.int64}


def raw_bytes(t):
    t = t.contiguous().reshape(-1)
    return t.view(INT_OF_SIZE[t.element_size()]).numpy().tobytes()


def save_safetensors(path, tensors, metadata=None, pad=True):
    header, blobs, off = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {"dtype": ST_DTYPE[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)

# }======================================================================


def make_tiny(d):
    os.makedirs(d, exist_ok=True)
    gen = torch.Generator().manual_seed(1234)
    classes = ["class_%d" % i for i in range(4)] + ["Größe \"quoted\""]
    base = vit_state_dict(gen)
    manifest = []

    def save(name, obj, **kw):
        path = os.path.join(d, name)
        torch.save(obj, path, **kw)
        manifest.append((path, path))
        return path

    def twin(name, ref, tensors, **kw):
        path = os.path.join(d, name)
        save_safetensors(path, tensors, **kw)
        manifest.append((path, ref))

    p = save("f32_wrapped.pth", {"state_dict": base, "meta": rich_meta(classes),
                                 "optimizer": {"state": {0: {"exp_avg": torch.zeros(3),
                                                             "step": torch.tensor(5)}},
                                               "param_groups": [{"lr": 0.1, "params": [0]}]}})
    twin("f32.safetensors", p, base, metadata={"format": "pt", "note": "tiny \u00e9"})
    for dt, tag in ((torch.float16, "f16"), (torch.bfloat16, "bf16"), (torch.float64, "f64")):
        sd = collections.OrderedDict((k, v.to(dt)) for k, v in base.items())
        if dt != torch.float64:
            sd["extra.all_bits"] = all_bits(dt)
        else:
            sd["extra.edges"] = torch.tensor([1e300, -1e300, 1e-300, 1.0000001192092896,
                                              3.4028235e38, 1.401298464324817e-45, -0.0],
                                             dtype=torch.float64)
        p = save(tag + ".pth", {"state_dict": sd, "meta": {"dataset_meta": {}}})
        twin(tag + ".safetensors", p, sd, pad=(tag != "f16"))
    save("noncontig.pth", {"state_dict": noncontiguous_views(base, gen)})
    save("model_key.pth", {"model": base, "epoch": 3})
    save("module_key.pth", {"module": base})
    save("bare.pth", base)
    prefixed = collections.OrderedDict(("module." + k, v) for k, v in base.items())
    p = save("module_prefix.pth", {"state_dict": prefixed, "meta": {"CLASSES": tuple(classes)}})
    twin("module_prefix.safetensors", p, prefixed)
    save("proto4.pth", {"state_dict": base, "meta": rich_meta(classes)}, pickle_protocol=4)
    save("proto5.pth", {"state_dict": base, "meta": rich_meta(classes)}, pickle_protocol=5)
    params = collections.OrderedDict((k, torch.nn.Parameter(v)) for k, v in base.items())
    save("parameters.pth", {"state_dict": params})
    unicode_sd = collections.OrderedDict(base)
    unicode_sd["extra.gr\u00f6\u00dfe"] = torch.ones(2, 2)
    p = save("unicode.pth", unicode_sd)
    twin("unicode.safetensors", p, unicode_sd)
    # for 'mmcc check' against the tiny config (tests/suites/ckpt.sh writes it)
    def variant(name, change):
        sd = collections.OrderedDict(base)
        change(sd)
        save(name, {"state_dict": sd})
    variant("check_missing.pth", lambda sd: sd.pop("backbone.layers.1.ln2.bias"))
    variant("check_wrong_shape.pth",
            lambda sd: sd.update({"head.layers.head.weight": torch.zeros(6, 32)}))
    variant("check_pos_6x6.pth",
            lambda sd: sd.update({"backbone.pos_embed": torch.zeros(1, 37, 32)}))
    variant("check_pos_not_square.pth",
            lambda sd: sd.update({"backbone.pos_embed": torch.zeros(1, 16, 32)}))
    variant("check_unexpected.pth",
            lambda sd: sd.update({"backbone.extra.a": torch.zeros(2), "neck.b": torch.zeros(1)}))
    # the archive's top directory is not always 'archive' or the file name
    buf = io.BytesIO()
    torch.save({"state_dict": base}, buf)
    path = os.path.join(d, "other_prefix.pth")
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    manifest.append((path, path))
    z64 = os.path.join(d, "zip64_extra.pth")
    write_zip64(os.path.join(d, "f16.pth"), z64)
    manifest.append((z64, z64))  # torch.load reads it too: the reference is the file itself
    with open(os.path.join(d, "manifest.txt"), "w") as f:
        for a, b in manifest:
            f.write("%s %s\n" % (a, b))


def make_clip(d, patch, grid):
    """Full-size CLIP ViT-B/patch (mmpretrain names), random values; 1+grid*grid pos_embed."""
    os.makedirs(d, exist_ok=True)
    gen = torch.Generator().manual_seed(patch)
    sd = vit_state_dict(gen, D=768, L=12, F=3072, P=patch, grid=grid, C=1000)
    tmp = os.path.join(d, "clip-p%d.tmp" % patch)
    torch.save({"state_dict": sd, "meta": {"dataset_meta": {
        "classes": ["c%d" % i for i in range(1000)]}}}, tmp)
    h = hashlib.sha256()
    with open(tmp, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 24), b""):
            h.update(chunk)
    path = os.path.join(d, "clip-vit-base-p%d_test_20221220-%s.pth" % (patch, h.hexdigest()[:8]))
    os.rename(tmp, path)
    print(path)

def write_zip64(src, dst):
    """Rewrites the archive SRC with every size and offset in ZIP64 extra fields (as torch's
    writer does past 4 GiB), data 64-byte aligned behind a 'Z'-padding extra field."""
    with zipfile.ZipFile(src) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    out, cd = bytearray(), bytearray()
    for name, data in entries:
        nb, crc, off = name.encode(), zlib.crc32(data), len(out)
        z64 = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        pad = (-(off + 30 + len(nb) + len(z64) + 4)) % 64
        extra = z64 + struct.pack("<HH", 0x5a46, pad) + b"Z" * pad
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 0, 0, 0, crc, 0xffffffff,
                           0xffffffff, len(nb), len(extra)) + nb + extra + data
        cdx = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 0, 0, 0, crc, 0xffffffff,
                          0xffffffff, len(nb), len(cdx), 0, 0, 0, 0, 0xffffffff) + nb + cdx
    cd_off = len(out)
    out += cd
    e64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, len(entries), len(entries),
                       len(cd), cd_off)
    out += struct.pack("<IIQI", 0x07064b50, 0, e64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
    with open(dst, "wb") as f:
        f.write(out)

# {====================================================================== bad inputs

def rezip(src, dst, change):
    """Copies the archive SRC to DST with entries changed by CHANGE(name, data) -> data or
    None (drop); zipfile writes correct CRCs, so only the change itself is wrong."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def make_bad(d):
    os.makedirs(d, exist_ok=True)
    gen = torch.Generator().manual_seed(7)
    good = os.path.join(d, "good.pth")
    torch.save({"state_dict": vit_state_dict(gen)}, good)
    data = open(good, "rb").read()
    bad = []

    def put(name, content, regex):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(content)
        bad.append((path, regex))

    trunc = "truncated|no end-of-central-directory"
    for n in sorted(set([1, 3, 4, 10, 30, 64, 100, 500, 1000, 2000, len(data) // 2,
                         len(data) - 1000, len(data) - 100, len(data) - 60, len(data) - 23,
                         len(data) - 22, len(data) - 21, len(data) - 1])):
        put("trunc_%d.pth" % n, data[:n], "truncated|no end-of-central-directory|unknown magic")
    for k in (200, len(data) // 3, len(data) - 2500):  # a piece cut out, the end records kept
        put("cut_%d.pth" % k, data[:k] + data[k + 1000:],
            "truncated zip archive|bad (local header|central directory) signature")
    put("empty.pth", b"", "empty file")
    put("wrong_magic.pth", b"GIF89a" + data[6:], "not a checkpoint: unknown magic 47 49 46 38")
    cd = data.rfind(b"PK\x01\x02")
    put("bad_cd_sig.pth", data[:cd] + b"PX\x01\x02" + data[cd + 4:],
        "bad central directory signature at offset")
    eocd64 = data.rfind(b"PK\x06\x06")
    put("bad_cd_offset.pth", data[:eocd64 + 48] + struct.pack("<Q", len(data) * 3) +
        data[eocd64 + 56:], "truncated zip archive: central directory at offset")
    put("bad_eocd64.pth", data[:eocd64] + b"XX" + data[eocd64 + 2:],
        "bad ZIP64 end-of-central-directory signature")
    first_cd = data.find(b"PK\x01\x02")
    lho = first_cd + 42
    put("bad_local_offset.pth", data[:lho] + struct.pack("<I", len(data) - 10) + data[lho + 4:],
        "truncated zip archive: local file header|bad local header signature")
    put("bad_method.pth", data[:first_cd + 10] + b"\x08\x00" + data[first_cd + 12:],
        "is compressed \\(method 8\\)")
    # damaged pickle bytes (CRC no longer matches)
    pk = data.find(b"\x80\x02", data.find(b"data.pkl"))
    put("bad_crc.pth", data[:pk + 3] + bytes([data[pk + 3] ^ 0x40]) + data[pk + 4:],
        "data.pkl' is damaged: CRC-32")
    name = os.path.splitext(os.path.basename(good))[0]

    def put_rezip(name, change, regex):
        path = os.path.join(d, name)
        rezip(good, path, change)
        bad.append((path, regex))
        return path

    def on_pkl(f):
        return lambda n, b: f(b) if n.endswith("/data.pkl") else b
    put_rezip("unknown_opcode.pth", on_pkl(lambda b: b[:2] + b"\xff" + b[2:]),
              "data.pkl: pickle offset 2 \\(opcode 0xff\\): unknown or unsupported "
              "pickle opcode 0xff")
    # protocol-0 INT: not read (not in checkpoints)
    put_rezip("text_opcode.pth", on_pkl(lambda b: b"\x80\x02I1\n."),
              "unknown or unsupported pickle opcode 0x49")
    put_rezip("truncated_pickle.pth", on_pkl(lambda b: b[:len(b) // 2]),
              "data.pkl: pickle offset [0-9]+ \\((opcode 0x[0-9a-f]+|at end of data, where an "
              "opcode should start)\\): truncated pickle")
    # no opcode read at all: the message must not name one (review #7)
    put_rezip("empty_pickle.pth", on_pkl(lambda b: b""),
              "data.pkl: pickle offset 0 \\(at end of data, where an opcode should start\\): "
              "truncated pickle: needs 1 bytes at offset 0, 0 left")
    put_rezip("pickle_ends_after_proto.pth", on_pkl(lambda b: b"\x80\x02"),
              "data.pkl: pickle offset 2 \\(at end of data, where an opcode should start\\): "
              "truncated pickle")
    # kind names with their article (review #7: "holds a object")
    put_rezip("root_object.pth", on_pkl(lambda b: b"\x80\x02cfoo\nBar\n)R."),
              "data.pkl holds an object, not a dict")
    put_rezip("reduce_list_args.pth", on_pkl(lambda b: b"\x80\x02cfoo\nBar\n]R."),
              "\\(opcode 0x52\\): REDUCE arguments are a list, not a tuple")
    put_rezip("setitem_on_int.pth", on_pkl(lambda b: b"\x80\x02K\x01K\x02K\x03s."),
              "SETITEM\\(S\\) on an int")
    put_rezip("append_on_dict.pth", on_pkl(lambda b: b"\x80\x02}K\x01a."),
              "APPEND\\(S\\) on a dict")
    put_rezip("pickle_underflow.pth", on_pkl(lambda b: b"\x80\x02R."), "pickle stack underflow")
    put_rezip("pickle_protocol.pth", on_pkl(lambda b: b"\x80\x09}."), "pickle protocol 9")
    put_rezip("memo_get.pth", on_pkl(lambda b: b"\x80\x02h\x07."),
              "memo index 7 was never stored")
    put_rezip("not_dict.pth", on_pkl(lambda b: b"\x80\x02]."), "data.pkl holds a list, not a dict")
    put_rezip("missing_storage.pth", lambda n, b: None if n.endswith("/data/3") else b,
              "tensor '.*': storage entry '.*/data/3' is missing")
    put_rezip("short_storage.pth", lambda n, b: b[:len(b) - 4] if n.endswith("/data/2") else b,
              "tensor '.*': storage '.*/data/2' of [0-9]+ float32 elements needs more")
    put_rezip("no_pickle.pth", lambda n, b: None if n.endswith("/data.pkl") else b,
              "has no '%s/data.pkl'" % name)
    rz = put_rezip("big_endian.pth", lambda n, b: b, "byte order is not 'little'")
    with zipfile.ZipFile(rz, "a") as z:
        z.writestr(name + "/byteorder", "big")
    # long tensors are not float: a clear error naming the tensor
    p = os.path.join(d, "int_tensor.pth")
    torch.save({"state_dict": {"backbone.cls_token": torch.zeros(3, dtype=torch.int64)}}, p)
    bad.append((p, "tensor 'backbone.cls_token': storage type torch.LongStorage is not supported"))
    p = os.path.join(d, "legacy.pth")
    torch.save({"state_dict": vit_state_dict(gen)}, p, _use_new_zipfile_serialization=False)
    bad.append((p, "legacy PyTorch checkpoint format.*_use_new_zipfile_serialization=True"))
    # safetensors damage
    st = os.path.join(d, "good.safetensors")
    save_safetensors(st, vit_state_dict(gen))
    sdata = open(st, "rb").read()
    hl = struct.unpack("<Q", sdata[:8])[0]
    put("st_trunc_header.safetensors", sdata[:8 + hl // 2],
        "truncated safetensors file: header of")
    put("st_trunc_data.safetensors", sdata[:len(sdata) - 10],
        "truncated file: tensor '.*' ends at data offset")
    put("st_bad_dtype.safetensors", sdata.replace(b'"F32"', b'"I64"', 1),
        "dtype I64 is not supported")
    put("st_bad_offsets.safetensors", sdata.replace(b'"data_offsets": [0, ', b'"data_offsets": [4, ', 1),
        "data_offsets \\[4, [0-9]+\\] do not hold")
    put("st_bad_json.safetensors", sdata[:8] + b"{\"a\" 1" + b" " * (hl - 6) + sdata[8 + hl:],
        "safetensors header offset [0-9]+: ':' expected")
    with open(os.path.join(d, "bad.txt"), "w") as f:
        for path, regex in bad:
            f.write("%s\t%s\n" % (path, regex))

def make_fuzz(d, n):
    import random
    os.makedirs(d, exist_ok=True)
    rnd = random.Random(20221220)
    gen = torch.Generator().manual_seed(3)
    good = os.path.join(d, "seed.pth")
    torch.save({"state_dict": vit_state_dict(gen, L=1), "meta": rich_meta(["a", "b"])}, good)
    data = open(good, "rb").read()
    st = os.path.join(d, "seed.safetensors")
    save_safetensors(st, vit_state_dict(gen, L=1), metadata={"k": "v"})
    sdata = open(st, "rb").read()
    hl = struct.unpack("<Q", sdata[:8])[0]
    with zipfile.ZipFile(good) as z:
        pkl_name = [i for i in z.namelist() if i.endswith("/data.pkl")][0]
        pkl = z.read(pkl_name)

    def mutate(b, lo, hi):
        b = bytearray(b)
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(lo, min(hi, len(b)))
            op = rnd.random()
            if op < 0.6:
                b[i] = rnd.randrange(256)
            elif op < 0.8:
                del b[i:i + rnd.randint(1, 8)]
            else:
                b[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        return bytes(b)
    files = []
    for k in range(n):
        kind = k % 3
        path = os.path.join(d, "fuzz_%03d.%s" % (k, "safetensors" if kind == 2 else "pth"))
        if kind == 0:
            m = mutate(pkl, 0, len(pkl))
            rezip(good, path, lambda name, b: m if name == pkl_name else b)
        elif kind == 1:
            with open(path, "wb") as f:
                f.write(mutate(data, max(0, len(data) - 400), len(data)))
        else:
            with open(path, "wb") as f:
                f.write(mutate(sdata, 0, 8 + hl))
        files.append(path)
    with open(os.path.join(d, "fuzz.txt"), "w") as f:
        for p in files:
            f.write(p + "\n")

# }======================================================================

# {====================================================================== comparison

WRAPPERS = ("state_dict", "model", "module")


def reference(path):
    obj = torch.load(path, map_location="cpu")
    sd, top_keys = obj, []
    for k in WRAPPERS:
        if isinstance(obj.get(k), dict):
            sd = obj[k]
            top_keys = [m for m in obj if m != k]
            break
    tensors = collections.OrderedDict()
    for k, v in sd.items():
        if isinstance(v, torch.Tensor):
            tensors[k[7:] if k.startswith("module.") else k] = v.detach()
    meta = obj.get("meta") if sd is not obj else None
    classes = None
    # meta_keys: the keys inside `meta` (issue 3: "the meta keys"), top_keys: the top level
    meta_keys = [m for m in meta if isinstance(m, str)] if isinstance(meta, dict) else []
    if isinstance(meta, dict):
        classes = (meta.get("dataset_meta") or {}).get("classes") or meta.get("CLASSES")
    return tensors, meta_keys, top_keys, (list(classes) if classes is not None else None)


DTYPE_NAME = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
              torch.float64: "float64"}


def compare(mmcc, path, ref):
    tensors, meta_keys, top_keys, classes = reference(ref)
    if path.endswith(".safetensors"):
        meta_keys = None  # its meta keys are the __metadata__ keys
        top_keys = []     # a flat file: no top-level keys besides the tensors
        classes = None
    out = subprocess.run([mmcc, "ckpt", path, "--json"], capture_output=True)
    if out.returncode != 0:
        return "mmcc ckpt --json exit %d: %s" % (out.returncode, out.stderr.decode()[-300:])
    j = json.loads(out.stdout)
    names = [t["name"] for t in j["tensors"]]
    if names != list(tensors):
        return "names differ: %s vs %s" % (names[:5], list(tensors)[:5])
    for t, (k, v) in zip(j["tensors"], tensors.items()):
        want = (DTYPE_NAME[v.dtype], list(v.shape), v.numel() * v.element_size())
        got = (t["dtype"], t["shape"], t["bytes"])
        if want != got:
            return "%s: %s, torch says %s" % (k, got, want)
    if meta_keys is not None and j["meta_keys"] != meta_keys:
        return "meta keys %s, torch says %s" % (j["meta_keys"], meta_keys)
    if j["top_level_keys"] != top_keys:
        return "top-level keys %s, torch says %s" % (j["top_level_keys"], top_keys)
    if classes is not None and j["classes"] != classes:
        return "classes %s, torch says %s" % (j["classes"], classes)
    if j["parameters"] != sum(v.numel() for v in tensors.values()):
        return "parameter count differs"
    dump = subprocess.run([mmcc, "ckpt", path, "--dump-all"], capture_output=True)
    if dump.returncode != 0:
        return "mmcc ckpt --dump-all exit %d: %s" % (dump.returncode, dump.stderr.decode()[-300:])
    got = np.frombuffer(dump.stdout, dtype="<u4")
    want = np.concatenate([v.float().contiguous().reshape(-1).numpy().view("<u4")
                           for v in tensors.values()] + [np.zeros(0, "<u4")])
    if got.shape != want.shape:
        return "dump has %d values, torch %d" % (got.size, want.size)
    diff = np.nonzero(got != want)[0]
    if diff.size:
        i = diff[0]
        return "%d values differ bitwise; first at %d: %08x vs torch %08x" % (
            diff.size, i, got[i], want[i])
    return None

# }======================================================================


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "tiny":
        make_tiny(sys.argv[2])
    elif cmd == "clip":
        make_clip(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "bad":
        make_bad(sys.argv[2])
    elif cmd == "fuzz":
        make_fuzz(sys.argv[2], int(sys.argv[3]))
    elif cmd == "compare-all":
        failed = False
        with open(sys.argv[3]) as f:
            for line in f:
                path, ref = line.split()
                name = "%s-%s" % (sys.argv[4], os.path.basename(path))
                err = compare(sys.argv[2], path, ref)
                failed = failed or bool(err)
                print("FAIL %s: %s" % (name, err) if err else "ok " + name, flush=True)
        sys.exit(1 if failed else 0)
    elif cmd == "compare":
        err = compare(sys.argv[2], sys.argv[3], sys.argv[4])
        if err:
            print(err)
            sys.exit(1)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
