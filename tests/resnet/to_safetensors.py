"""Rewrites a .pth checkpoint's state_dict as safetensors (F32 and I64 tensors: BatchNorm's
num_batches_tracked stays int64), for mmcc's safetensors int64 path.

    to_safetensors.py IN.pth OUT.safetensors"""
import json
import struct
import sys

import torch

DT = {torch.float32: 'F32', torch.int64: 'I64'}


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    sd = torch.load(argv[0], map_location='cpu')['state_dict']
    header, blobs, off = {}, [], 0
    for k, t in sd.items():
        b = t.contiguous().numpy().tobytes()
        header[k] = {'dtype': DT[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(argv[1], 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
