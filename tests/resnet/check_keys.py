"""Compares mmcc's parameter list (the JSON of mmcc inspect --tensors) with the
independent reference's (resnet_ref.py --keys): the same names in the same order, the same
shapes, and the same parameter count; buffers (running_mean/var) and num_batches_tracked are
in both. Exit 0 when equal, 1 with the first differences otherwise.

    check_keys.py MMCC.json REF.json"""
import json
import sys


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    with open(argv[0]) as f:
        card = json.load(f)
    with open(argv[1]) as f:
        ref = json.load(f)
    mine = [(t['name'], t['shape']) for t in card['tensors']]
    theirs = [(n, s) for n, s, _ in ref['tensors']]
    bad = []
    if card['parameters'] != ref['parameters']:
        bad.append(f"parameters: mmcc {card['parameters']}, reference {ref['parameters']}")
    if mine != theirs:
        for i, (a, b) in enumerate(zip(mine, theirs)):
            if a != b:
                bad.append(f'tensor {i}: mmcc {a}, reference {b}')
                break
        if len(mine) != len(theirs):
            bad.append(f'{len(mine)} tensors in mmcc, {len(theirs)} in the reference')
    if bad:
        print('; '.join(bad))
        return 1
    print(f"{len(mine)} tensors, {card['parameters']} parameters: equal")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
