#!/usr/bin/python3
"""Packs kquant_golden.c's output into the committed golden files (run by kquant_golden.sh).

IN_DIR holds T.blocks (llama.cpp's quantised bytes) and T.f32 (llama.cpp's dequantised floats) per type.
Writes OUT_DIR/input.f32 (the 4x512 float input, row-major), OUT_DIR/kquant-golden.gguf, one 4x512 tensor per type named after it (written with llama.cpp's
gguf-py), and OUT_DIR/T.f32, after checking that gguf-py's own numpy dequantisation gives the same
bits as the C code: two independent readings of the format by llama.cpp agree before Java is compared.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(sys.argv[3] if len(sys.argv) > 3 else "/root/anchors/llama.cpp") / "gguf-py"))
import gguf  # noqa: E402
from gguf import GGMLQuantizationType as Q  # noqa: E402
from gguf import quants  # noqa: E402

ROWS, COLS = 4, 512
TYPES = {"q4_1": Q.Q4_1, "q5_0": Q.Q5_0, "q5_1": Q.Q5_1, "q2_K": Q.Q2_K, "q3_K": Q.Q3_K,
         "q4_K": Q.Q4_K, "q5_K": Q.Q5_K, "q6_K": Q.Q6_K, "iq4_nl": Q.IQ4_NL}

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
w = gguf.GGUFWriter(str(out / "kquant-golden.gguf"), arch="kquant-golden")
for name, qt in TYPES.items():
    raw = np.fromfile(src / f"{name}.blocks", dtype=np.uint8).reshape(ROWS, -1)
    c_values = np.fromfile(src / f"{name}.f32", dtype="<f4").reshape(ROWS, COLS)
    py_values = quants.dequantize(raw, qt).astype("<f4")
    if py_values.shape != c_values.shape or not np.array_equal(py_values.view("<u4"), c_values.view("<u4")):
        bad = np.argwhere(py_values.view("<u4") != c_values.view("<u4"))
        sys.exit(f"{name}: gguf-py and ggml-quants.c disagree at {len(bad)} values, first {bad[:3].tolist()}")
    w.add_tensor(name, raw, raw_dtype=qt)
    c_values.tofile(out / f"{name}.f32")
    print(f"{name}: {raw.nbytes} bytes, gguf-py == ggml-quants.c on all {c_values.size} values")
(out / "input.f32").write_bytes((src / "input.f32").read_bytes())
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
