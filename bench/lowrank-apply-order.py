#!/usr/bin/env python3
"""lowrank-apply-order.py: how often does a GPU-style LoRA merge match each canonical low-rank apply order?

A measurement, not a test (needs numpy). For the fixtures' rank-8 LoRA (lora_merged.safetensors, merged on a GPU by
peft) and for a rank-16 LoRA it merges into base_bf16.safetensors itself the way a GPU merge does (B @ A in float32,
scaled, added, rounded to bf16), it counts the elements where each order of the canonical apply (delta-codec/
ENCODINGS.md) differs from the merged checkpoint:

  version 1: acc = W; acc = acc + B[i][k] * A[k][j] for each k        (each product added to the base in turn)
  version 2: d = 0; d = d + B[i][k] * A[k][j] for each k; acc = W + d (the product first, as peft computes it)

every operation rounded to float32 exactly as the Java decoder does (numpy float32, no fused multiply-add). With
--write DIR it also writes the rank-16 case (lora16_bf16_merged.safetensors, lora16_adapter.safetensors) for
`bin/theta delta BASE TARGET --adapter ADAPTER --scale 2`.

Usage: bench/lowrank-apply-order.py [--write DIR]
"""
import json
import os
import struct
import sys

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "checkpoints")


def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for name, v in json.loads(raw[8:8 + n]).items():
        if name != "__metadata__":
            s, e = v["data_offsets"]
            out[name] = (v["dtype"], v["shape"], raw[8 + n + s:8 + n + e])
    return out


def save(path, tensors):
    header, data, off = {}, b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        data += raw
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)


def floats(t):
    dtype, shape, raw = t
    if dtype == "F32":
        return np.frombuffer(raw, np.float32).reshape(shape)
    return (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32).reshape(shape)


def to_bf16(x):
    u = x.astype(np.float32).view(np.uint32)
    return ((u + ((u >> 16) & 1) + 0x7FFF) >> 16).astype(np.uint16)


def both_orders(w, b, a):
    """Version 1's and version 2's apply of factors b (m x r) and a (r x n) to w, in float32."""
    acc, d = w.copy(), np.zeros_like(w)
    for k in range(b.shape[1]):
        p = (b[:, k:k + 1] * a[k:k + 1, :]).astype(np.float32)
        acc = (acc + p).astype(np.float32)
        d = (d + p).astype(np.float32)
    return acc, (w + d).astype(np.float32)


def count(base, merged, adapter, scale, bf16):
    total = v1 = v2 = 0
    for name in adapter:
        if ".lora_A." not in name:
            continue
        module = name[len("base_model.model."):name.index(".lora_A.")]
        a_factor = floats(adapter[name]).astype(np.float32)
        b_factor = floats(adapter[name.replace(".lora_A.", ".lora_B.")]).astype(np.float32)
        w = floats(base[module + ".weight"])
        # GPT-2's Conv1D weights are in x out: the update is (B A)^T, so B' = scale A^T and A' = B^T.
        one, two = both_orders(w, (np.float32(scale) * a_factor.T).astype(np.float32), b_factor.T.copy())
        target = merged[module + ".weight"]
        if bf16:
            want = np.frombuffer(target[2], np.uint16).reshape(target[1])
            one, two = to_bf16(one), to_bf16(two)
        else:
            want = floats(target)
        total += w.size
        v1 += int((one != want).sum())
        v2 += int((two != want).sum())
    return total, v1, v2


def rank16_bf16(write_dir):
    base = load(os.path.join(FIXTURES, "base_bf16.safetensors"))
    rng = np.random.default_rng(16)
    merged, adapter = dict(base), {}
    for name, (dtype, shape, raw) in base.items():
        if not (name.endswith("attn.c_attn.weight") or name.endswith("attn.c_proj.weight")):
            continue
        fan_in, fan_out = shape
        a = (rng.standard_normal((16, fan_in)) * 0.02).astype(np.float32)
        b = (rng.standard_normal((fan_out, 16)) * 0.02).astype(np.float32)
        merged[name] = (dtype, shape, to_bf16(floats(base[name]) + (b @ a).T * np.float32(2)).tobytes())
        module = "base_model.model." + name[:-len(".weight")]
        adapter[module + ".lora_A.weight"] = ("F32", [16, fan_in], a.tobytes())
        adapter[module + ".lora_B.weight"] = ("F32", [fan_out, 16], b.tobytes())
    if write_dir:
        save(os.path.join(write_dir, "lora16_bf16_merged.safetensors"), merged)
        save(os.path.join(write_dir, "lora16_adapter.safetensors"), adapter)
    return base, merged, adapter


def main():
    write_dir = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--write" else None
    cases = [
        ("rank-8 LoRA merged on a GPU (fixtures), float32", load(os.path.join(FIXTURES, "base.safetensors")),
         load(os.path.join(FIXTURES, "lora_merged.safetensors")),
         load(os.path.join(FIXTURES, "adapter_model.safetensors")), 2.0, False),
        ("rank-16 LoRA merged here into bfloat16 weights", *rank16_bf16(write_dir), 2.0, True),
    ]
    for what, base, merged, adapter, scale, bf16 in cases:
        total, v1, v2 = count(base, merged, adapter, scale, bf16)
        print("%s: %d elements; differ from version 1's apply %.1f%%, from version 2's %.1f%%"
              % (what, total, 100.0 * v1 / total, 100.0 * v2 / total))


if __name__ == "__main__":
    main()
