#!/usr/bin/env python3
"""Write potion-base-2M's embedding table as int8 rows with one f32 scale per row.

The original `model.safetensors` holds `embeddings`, 29,528 rows of 64 f32 (7.6 MB).
This writes `embeddings` as I8 (each row divided by its largest magnitude / 127) and the
row scales as `weights` (F32), the layout model2vec-rs reads: each token's row is
multiplied by its weight before pooling, so the vectors are those of the original model
to within the rounding of int8 (1.9 MB). Standard library only.

    python3 models/quantize.py ORIGINAL/model.safetensors models/potion-base-2M/model.safetensors
"""
import array
import json
import struct
import sys


def read(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header["embeddings"]
    assert meta["dtype"] == "F32", meta
    rows, dim = meta["shape"]
    start, end = meta["data_offsets"]
    table = array.array("f")
    table.frombytes(raw[8 + n + start : 8 + n + end])
    assert sys.byteorder == "little" and len(table) == rows * dim
    return table, rows, dim


def quantize(table, rows, dim):
    data, scales = array.array("b"), array.array("f")
    for r in range(rows):
        row = table[r * dim : (r + 1) * dim]
        top = max(abs(v) for v in row)
        scale = top / 127.0
        data.extend(max(-127, min(127, round(v / scale))) if scale else 0 for v in row)
        scales.append(scale)
    return data, scales


def write(path, data, scales, rows, dim):
    header = {
        "embeddings": {"dtype": "I8", "shape": [rows, dim], "data_offsets": [0, len(data)]},
        "weights": {"dtype": "F32", "shape": [rows], "data_offsets": [len(data), len(data) + 4 * rows]},
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + data.tobytes() + scales.tobytes())


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    table, rows, dim = read(source)
    data, scales = quantize(table, rows, dim)
    write(target, data, scales, rows, dim)
