#!/usr/bin/env python3
"""Writes src/test/resources/golden/safetensors/python_written.safetensors with the reference
`safetensors` library (numpy API), so the Java reader is checked against an independent writer.

Values are simple formulas the Java test recomputes:
  f32[2,3]  = i * 0.5 - 1        (i = flat index)
  f16[4]    = [1.5, -2.25, 65504, 6.1035156e-05]
  i32[3]    = [-7, 0, 2147483647]
  u8[5]     = [0, 1, 127, 128, 255]
  empty f32 [0, 4]
Run: python3 tools/golden_safetensors.py   (needs `pip install safetensors numpy`)
"""
import pathlib
import numpy as np
from safetensors.numpy import save_file

out = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/golden/safetensors/python_written.safetensors"
tensors = {
    "f32": (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3),
    "f16": np.array([1.5, -2.25, 65504, 6.1035156e-05], dtype=np.float16),
    "i32": np.array([-7, 0, 2147483647], dtype=np.int32),
    "u8": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
save_file(tensors, str(out), metadata={"format": "np", "note": "golden"})
print(out, out.stat().st_size)
