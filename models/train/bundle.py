"""Tensor bundles for the TypeScript side: `<name>.json` (metadata + tensor index) beside
`<name>.bin` (the tensors' raw little-endian bytes, each starting at a multiple of 16 bytes so it
can be viewed in place with `new Float32Array(buffer, byteOffset, length)`).

JSON: {"format": "pocket-tensor-bundle", "formatVersion": 1, "bin": "<name>.bin",
       "tensors": {name: {"dtype": "float32"|"int32"|"uint8", "shape": [...], "byteOffset": n,
                          "length": elements}}, ...meta}"""
import json
from pathlib import Path

import numpy as np
import torch

DTYPES = {torch.float32: ('float32', '<f4'), torch.int32: ('int32', '<i4'), torch.uint8: ('uint8', 'u1')}


def _paths(stem: Path) -> tuple[Path, Path]:
    """stem 'fixtures/x.parity' → 'fixtures/x.parity.json', 'fixtures/x.parity.bin'."""
    return stem.parent / f'{stem.name}.json', stem.parent / f'{stem.name}.bin'


def write_bundle(stem: Path, tensors: dict[str, torch.Tensor], meta: dict) -> tuple[Path, Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    json_path, bin_path = _paths(stem)
    index, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous()
        if tensor.dtype not in DTYPES:
            raise TypeError(f'{name}: dtype {tensor.dtype} is not allowed in a bundle')
        dtype_name, np_dtype = DTYPES[tensor.dtype]
        raw = tensor.numpy().astype(np_dtype, copy=False).tobytes()
        pad = (-offset) % 16
        chunks.append(b'\0' * pad)
        offset += pad
        index[name] = {'dtype': dtype_name, 'shape': list(tensor.shape), 'byteOffset': offset, 'length': tensor.numel()}
        chunks.append(raw)
        offset += len(raw)
    bin_path.write_bytes(b''.join(chunks))
    doc = {'format': 'pocket-tensor-bundle', 'formatVersion': 1, 'bin': bin_path.name, **meta, 'tensors': index}
    json_path.write_text(json.dumps(doc, indent=1) + '\n')
    return json_path, bin_path


def read_bundle(stem: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    json_path, _ = _paths(stem)
    doc = json.loads(json_path.read_text())
    raw = (json_path.parent / doc['bin']).read_bytes()
    reverse = {v[0]: v[1] for v in DTYPES.values()}
    out = {}
    for name, entry in doc['tensors'].items():
        arr = np.frombuffer(raw, dtype=reverse[entry['dtype']], count=entry['length'], offset=entry['byteOffset'])
        out[name] = torch.from_numpy(arr.copy()).reshape(entry['shape'])
    return doc, out
