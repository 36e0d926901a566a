"""Structural check of an exported pocket model: onnx.checker (full), opset 17, only operators
from the whitelist below, and the documented input/output names and element types.

The whitelist is the set of ONNX operators that our exports need and that onnxruntime-web runs on
both its WASM (CPU) and WebGPU execution providers. Compute ops were checked against the WebGPU
kernel table of onnxruntime-web 1.30 (WEBGPU_OP_RESOLVE_RULES in dist/ort.mjs): every op below
except the layout-only Reshape, Squeeze, Unsqueeze, Shape, Constant, ConstantOfShape and Identity
(which ORT's core executes as data movement / on CPU) is in that table. The WASM provider runs
all of them; models/train/check-parity.mjs runs every exported graph there."""
from pathlib import Path

import onnx

OPSET = 17
ALLOWED_OPS = frozenset({
    # arithmetic and activations
    'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Erf', 'Sin', 'Cos', 'Neg', 'Sigmoid', 'Softmax',
    # linear algebra, convolution, normalisation
    'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'InstanceNormalization', 'LayerNormalization', 'ReduceMean', 'ReduceSum',
    # layout
    'Reshape', 'Transpose', 'Concat', 'Split', 'Slice', 'Squeeze', 'Unsqueeze', 'Expand', 'Gather', 'Resize',
    'Cast', 'Equal', 'Where', 'Identity', 'Clip',
    # shapes and constants
    'Shape', 'Constant', 'ConstantOfShape', 'Range',
})

ELEM = {onnx.TensorProto.FLOAT: 'float32', onnx.TensorProto.INT32: 'int32', onnx.TensorProto.INT64: 'int64'}


def value_info(v) -> tuple[str, str, list]:
    t = v.type.tensor_type
    dims = [d.dim_param or d.dim_value for d in t.shape.dim]
    return v.name, ELEM.get(t.elem_type, str(t.elem_type)), dims


def check_onnx(path: Path, inputs: dict[str, str], outputs: dict[str, str]) -> dict:
    """Raises AssertionError on any problem; returns a summary (ops used, sizes)."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    opsets = {o.domain or 'ai.onnx': o.version for o in model.opset_import}
    assert opsets == {'ai.onnx': OPSET}, f'{path.name}: opset imports {opsets}, expected only ai.onnx {OPSET}'
    ops = sorted({n.op_type for n in model.graph.node})
    bad = [op for op in ops if op not in ALLOWED_OPS]
    assert not bad, f'{path.name}: operators outside the onnxruntime-web whitelist: {bad}'
    ins = {name: (dtype, dims) for name, dtype, dims in map(value_info, model.graph.input)}
    outs = {name: (dtype, dims) for name, dtype, dims in map(value_info, model.graph.output)}
    assert {k: v[0] for k, v in ins.items()} == inputs, f'{path.name}: inputs {ins}, expected {inputs}'
    assert {k: v[0] for k, v in outs.items()} == outputs, f'{path.name}: outputs {outs}, expected {outputs}'
    for name, (_, dims) in {**ins, **outs}.items():
        assert dims and dims[0] == 'batch', f'{path.name}: {name} has no dynamic batch axis ({dims})'
    return {'ops': ops, 'inputs': ins, 'outputs': outs, 'bytes': path.stat().st_size}
