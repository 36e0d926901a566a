"""Recover a PyTorch module's weights from one of our own ONNX exports.

The committed pocket models are ONNX files; their PyTorch checkpoints lived on the machine that
trained them. To fine-tune the committed UNet (inpainting) or to score samples with the committed
evaluator in Python, the weights are read back from the ONNX initializers.

torch.onnx renames some initializers (a Linear's weight becomes a transposed `onnx::MatMul_N`
constant), so names cannot be trusted. The export itself can: a copy of the module whose
parameters hold distinct marker values is exported with the same settings, each parameter's
markers are found among that file's initializers (and whether they were transposed), and the
same initializer position is read from the real file — the two graphs are the same trace, which
is checked (same initializer count and shapes). Finally the caller's check compares the module's
outputs with the committed parity fixture (the PyTorch outputs recorded at export)."""
import copy
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from .bundle import read_bundle
from .onnx_check import OPSET


def _float_inits(path: Path) -> list[np.ndarray]:
    import onnx
    from onnx import numpy_helper
    model = onnx.load(str(path))
    return [numpy_helper.to_array(t) for t in model.graph.initializer]


def load_from_onnx(module: torch.nn.Module, onnx_path: Path, parity_stem: Path,
                   wrap=lambda m: m, tolerance: float = 1e-4) -> torch.nn.Module:
    """Fills `module`'s parameters from `onnx_path` (exported from `wrap(module)` with the inputs
    and output names of the parity fixture at `parity_stem`), then checks the outputs against the
    fixture. Returns the module in eval mode."""
    meta, tensors = read_bundle(parity_stem)
    inputs = {name: tensors[name] for name in meta['inputs']}
    outputs = [name[len('out.'):] for name in meta['outputs']]
    marker = copy.deepcopy(module).eval()
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in marker.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'marker.onnx'
        warnings.filterwarnings('ignore', message='The shape inference of prim::Constant')
        axes = {name: {0: 'batch'} for name in [*inputs, *outputs]}
        with torch.no_grad():
            torch.onnx.export(wrap(marker), tuple(inputs.values()), str(path), input_names=list(inputs),
                              output_names=outputs, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
        marked = _float_inits(path)
    real = _float_inits(onnx_path)
    if [a.shape for a in marked] != [a.shape for a in real]:
        raise ValueError(f'{onnx_path.name}: the graph differs from this module\'s export '
                         f'({len(real)} vs {len(marked)} initializers)')
    index = {}
    for i, a in enumerate(marked):
        if a.dtype == np.float32 and a.size > 0:
            index.setdefault((a.size, float(np.sort(a.ravel())[0])), []).append(i)
    with torch.no_grad():
        for name, p in module.named_parameters():
            mark = dict(marker.named_parameters())[name].detach().numpy()
            found = None
            for i in index.get((mark.size, float(np.sort(mark.ravel())[0])), []):
                a = marked[i]
                if a.shape == mark.shape and np.array_equal(a, mark):
                    found = (i, False)
                elif a.size == mark.size and np.array_equal(a.reshape(mark.shape), mark):
                    found = (i, 'reshape')
                elif a.ndim == 2 and mark.ndim == 2 and np.array_equal(a.T, mark):
                    found = (i, 'transpose')
                if found:
                    break
            if found is None:
                raise ValueError(f'{onnx_path.name}: parameter {name} {tuple(mark.shape)} not found among the '
                                 'initializers (folded into another constant?)')
            i, how = found
            value = real[i].T if how == 'transpose' else real[i].reshape(mark.shape)
            p.copy_(torch.from_numpy(np.array(value, dtype=np.float32, copy=True)))
    module.eval()
    with torch.no_grad():
        got = wrap(module)(*inputs.values())
    got = got if isinstance(got, tuple) else (got,)
    for name, value in zip(outputs, got):
        ref = tensors[f'out.{name}']
        diff = (value - ref).abs().max().item()
        if diff > tolerance * max(1.0, ref.abs().max().item()):
            raise ValueError(f'{onnx_path.name}: recovered weights give {name} off by {diff:.2e} from the parity fixture')
    return module
