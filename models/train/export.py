"""Export trained pocket models to ONNX, check them, and write the fixtures the TypeScript side
tests against.

    python3 -m models.train.export <model|all> [--smoke]

For each exported id (models/pocket/<id>.onnx, opset 17, dynamic batch):
  - structural check (models/train/onnx_check.py);
  - parity fixture  models/pocket/fixtures/<id>.parity.{json,bin}: fixed inputs and the PyTorch
    outputs, for ONNX Runtime (onnxruntime-web in Node) vs PyTorch;
  - golden fixture  models/pocket/fixtures/<id>.golden.{json,bin} (denoisers): initial noise,
    per-step noise and the PyTorch reference sampler's output (models/train/sampler.py);
  - model card models/cards/<id>.md rendered from models/cards/TEMPLATE.md;
  - entry in models/manifest.json (bytes, SHA-256, IO contract).
With --smoke everything goes under .cache/smoke/ instead (CI must not touch committed files).
"""
import argparse
import hashlib
import json
import sys
import time
import warnings
from pathlib import Path

import torch

from . import data, mixture2d, runtime
from .bundle import write_bundle
from .families import FAMILIES
from .family import Family, dynamic_axes
from .nets.classifiers import NoisyClassifierGrad
from .nets.unet import UNET_CHANNELS
from .onnx_check import OPSET, check_onnx
from .paths import CACHE, CARDS, REPO, checkpoint_dir, export_dir
from .registry import CAPTION_DROPOUT, CLASS_DROPOUT, MODELS, evaluator_heads, evaluator_targets, noisy_classifier_classes, noisy_classifier_label
from .sampler import classifier_guide, ddim_sample, ddim_timesteps, guide, to_uint8
from .schedule import BETA_END, BETA_SCHEDULE, BETA_START, NUM_TRAIN_TIMESTEPS, alphas_cumprod
from .trainer import load_trained
from .vocab import load_vocabulary

SCHEDULE = {'numTrainTimesteps': NUM_TRAIN_TIMESTEPS, 'betaSchedule': BETA_SCHEDULE,
            'betaStart': BETA_START, 'betaEnd': BETA_END}
# The DDIM configuration of every golden file, in src/lib/samplers/ddim.ts option names.
# useClippedModelOutput: after clipping x̂₀, ε̂ is recomputed from it (diffusers' use_clipped_model_output),
# which keeps guided samples clean at large w (src/lib/pocket/sampler-config.ts explains why).
SAMPLER = {'name': 'ddim', 'timestepSpacing': 'leading', 'stepsOffset': 0, 'clipSample': True,
           'clipSampleRange': 1, 'setAlphaToOne': True, 'predictionType': 'epsilon', 'useClippedModelOutput': True,
           'guidance': 'eps = (1 + w) * eps(x, c) - w * eps(x)  (Ho & Salimans 2022, eq. 6)'}

def io_contract(model_id: str) -> tuple[dict, dict]:
    """id → (inputs, outputs): name → (dtype, shape); sizes from vocabulary.json."""
    img = ['batch', 3, 32, 32]
    heads = sum(evaluator_heads().values())
    classes = noisy_classifier_classes()
    length = load_vocabulary().max_length
    return {
        'shapes-unet': ({'x': ('float32', img), 't': ('float32', ['batch']), 'tokens': ('int32', ['batch', length])},
                        {'eps': ('float32', img)}),
        'shapes-evaluator': ({'x': ('float32', img)},
                             {'logits': ('float32', ['batch', heads]), 'features': ('float32', ['batch', 256])}),
        'shapes-noisy-classifier': ({'x': ('float32', img), 't': ('float32', ['batch'])},
                                    {'logits': ('float32', ['batch', classes])}),
        'shapes-noisy-classifier-grad': ({'x': ('float32', img), 't': ('float32', ['batch']), 'y': ('int32', ['batch'])},
                                         {'logits': ('float32', ['batch', classes]), 'grad': ('float32', img)}),
        'mixture2d-mlp': ({'x': ('float32', ['batch', 2]), 't': ('float32', ['batch']), 'label': ('int32', ['batch'])},
                          {'eps': ('float32', ['batch', 2])}),
    }[model_id]


# Issue 4 manifest fields (src/lib/runtime/manifest.ts validates them).
TASKS = {
    'shapes-unet': 'text-to-image denoiser (ε-prediction)',
    'shapes-evaluator': 'image attribute classifier',
    'shapes-noisy-classifier': 'noise-conditional classifier',
    'shapes-noisy-classifier-grad': 'noise-conditional classifier with input gradient',
    'mixture2d-mlp': 'class-conditional 2-D denoiser (ε-prediction)',
}
# 25 MB held the first five models; the chapters on autoregression, CLIP, latent diffusion and
# GLIDE add nine more (an inpainting UNet alone is 10 MB).
BUDGET_BYTES = 60_000_000
LICENCE = 'CC-BY-4.0'  # weights and card; see models/cards/TEMPLATE.md


# Largest value of the symbolic dimensions other than batch (the pocket DALL·E's 80 positions).
SYMBOLIC_SIZES = {'sequence': 80, 'positions': 80}


def memory_estimate(path: Path, batch: int = 1) -> int:
    """Upper bound on a session's memory at `batch`: the weights plus every tensor of the graph
    (inputs, intermediates, outputs) as if none were freed, from ONNX shape inference."""
    import onnx
    from onnx import numpy_helper, shape_inference
    itemsize = {onnx.TensorProto.FLOAT: 4, onnx.TensorProto.FLOAT16: 2, onnx.TensorProto.INT64: 8,
                onnx.TensorProto.INT32: 4, onnx.TensorProto.INT8: 1, onnx.TensorProto.UINT8: 1,
                onnx.TensorProto.BOOL: 1, onnx.TensorProto.DOUBLE: 8}
    g = shape_inference.infer_shapes(onnx.load(str(path))).graph
    total = sum(numpy_helper.to_array(t).nbytes for t in g.initializer)
    for v in [*g.input, *g.value_info, *g.output]:
        tt = v.type.tensor_type
        n = itemsize[tt.elem_type]
        for d in tt.shape.dim:
            n *= d.dim_value if d.HasField('dim_value') else SYMBOLIC_SIZES.get(d.dim_param, batch)
        total += n
    return int(total)


def _export(module: torch.nn.Module, inputs: dict[str, torch.Tensor], outputs: list[str], path: Path,
            axes: dict[str, dict[int, str]] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = axes or {name: {0: 'batch'} for name in [*inputs, *outputs]}
    # torch 1.13 warns about prim::Constant shape inference on every export; the exported graphs
    # are checked below and run in onnxruntime-web by models/train/check-parity.mjs.
    warnings.filterwarnings('ignore', message='The shape inference of prim::Constant')
    with torch.no_grad():
        torch.onnx.export(module, tuple(inputs.values()), str(path), input_names=list(inputs),
                          output_names=outputs, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)


def _run(module: torch.nn.Module, inputs: dict[str, torch.Tensor], outputs: list[str]) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        result = module(*inputs.values())
    result = result if isinstance(result, tuple) else (result,)
    return dict(zip(outputs, result))


def parity_inputs(model_id: str) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(1234)
    if model_id == 'shapes-unet':
        vocab = load_vocabulary()
        caps = [vocab.raw['evaluationCaptions']['oneObject'][0], vocab.raw['evaluationCaptions']['twoObjects'][0]]
        return {'x': torch.randn(3, 3, 32, 32, generator=gen), 't': torch.tensor([0.0, 500.0, 999.0]),
                'tokens': torch.cat([vocab.encode_batch(caps), vocab.null_tokens(1)])}
    if model_id == 'shapes-evaluator':
        return {'x': torch.randn(3, 3, 32, 32, generator=gen).clamp(-1, 1)}
    if model_id == 'shapes-noisy-classifier':
        return {'x': torch.randn(3, 3, 32, 32, generator=gen), 't': torch.tensor([10.0, 500.0, 990.0])}
    if model_id == 'shapes-noisy-classifier-grad':
        return {'x': torch.randn(3, 3, 32, 32, generator=gen), 't': torch.tensor([10.0, 500.0, 990.0]),
                'y': torch.tensor([0, 5, noisy_classifier_classes() - 1], dtype=torch.int32)}
    if model_id == 'mixture2d-mlp':
        return {'x': torch.randn(6, 2, generator=gen), 't': torch.tensor([0.0, 10.0, 250.0, 500.0, 750.0, 999.0]),
                'label': torch.tensor([0, 1, 2, 3, 4, 4], dtype=torch.int32)}
    raise KeyError(model_id)


def unet_golden(unet: torch.nn.Module, smoke: bool) -> tuple[dict, dict]:
    """A few captions, seeds and w through the reference DDIM sampler."""
    vocab = load_vocabulary()
    one, two = vocab.raw['evaluationCaptions']['oneObject'], vocab.raw['evaluationCaptions']['twoObjects']
    cases = [(one[0], 0.0, 0, 50, 0.0), (one[0], 3.0, 0, 50, 0.0), (two[0], 3.0, 1, 50, 0.0), (one[4], 1.0, 2, 10, 0.0),
             (one[4], 3.0, 3, 10, 1.0)]
    if smoke:
        cases = [(one[0], 3.0, 0, 3, 0.0), (two[0], 1.0, 1, 2, 1.0)]
    tensors, meta_cases = {}, []
    for i, (caption, w, seed, steps, eta) in enumerate(cases):
        gen = torch.Generator().manual_seed(seed)
        x_T = torch.randn(1, 3, 32, 32, generator=gen)
        noises = torch.randn(steps, 1, 3, 32, 32, generator=gen) if eta > 0 else None
        tokens = torch.cat([vocab.encode_batch([caption]), vocab.null_tokens(1)])

        def eps_fn(x: torch.Tensor, t: float) -> torch.Tensor:
            with torch.no_grad():  # cond and null caption as one batch of 2, as the TS loop does
                out = unet(x.repeat(2, 1, 1, 1), torch.full((2,), t), tokens)
            return guide(out[:1], out[1:], w)

        x0 = ddim_sample(eps_fn, x_T, steps, eta=eta, noises=noises, spacing=SAMPLER['timestepSpacing'],
                         use_clipped_model_output=SAMPLER['useClippedModelOutput'])
        prefix = f'case{i}'
        tensors[f'{prefix}.tokens'] = tokens
        tensors[f'{prefix}.xT'] = x_T
        if noises is not None:
            tensors[f'{prefix}.noise'] = noises[:, 0]
        tensors[f'{prefix}.x0'] = x0
        tensors[f'{prefix}.image'] = to_uint8(x0)
        meta_cases.append({'prefix': prefix, 'caption': caption, 'w': w, 'seed': seed, 'numInferenceSteps': steps,
                           'eta': eta, 'timesteps': ddim_timesteps(steps, SAMPLER['timestepSpacing'])})
    return tensors, {'cases': meta_cases}


def mixture_golden(mlp: torch.nn.Module, smoke: bool) -> tuple[dict, dict]:
    cases = [(1, 0.0, 0, 50, 0.0), (1, 3.0, 0, 50, 0.0), (mixture2d.NUM_CLASSES, 0.0, 1, 50, 0.0), (2, 1.0, 2, 20, 1.0)]
    if smoke:
        cases = cases[:1] + cases[-1:]
        cases = [(c, w, s, 3, eta) for c, w, s, _, eta in cases]
    tensors, meta_cases, n = {}, [], 64
    for i, (label, w, seed, steps, eta) in enumerate(cases):
        gen = torch.Generator().manual_seed(seed)
        x_T = torch.randn(n, 2, generator=gen)
        noises = torch.randn(steps, n, 2, generator=gen) if eta > 0 else None
        labels = torch.tensor([label] * n + [mixture2d.NUM_CLASSES] * n, dtype=torch.int32)

        def eps_fn(x: torch.Tensor, t: float) -> torch.Tensor:
            with torch.no_grad():
                out = mlp(x.repeat(2, 1), torch.full((2 * n,), t), labels)
            return guide(out[:n], out[n:], w)

        x0 = ddim_sample(eps_fn, x_T, steps, eta=eta, noises=noises, clip=False, spacing=SAMPLER['timestepSpacing'])
        prefix = f'case{i}'
        tensors[f'{prefix}.xT'] = x_T
        if noises is not None:
            tensors[f'{prefix}.noise'] = noises
        tensors[f'{prefix}.x0'] = x0
        meta_cases.append({'prefix': prefix, 'label': label, 'w': w, 'seed': seed, 'numInferenceSteps': steps,
                           'eta': eta, 'points': n,
                           'timesteps': ddim_timesteps(steps, SAMPLER['timestepSpacing'])})
    return tensors, {'cases': meta_cases, 'note': 'clipSample is false for the 2-D model (points are not in [-1, 1]); '
                     'labels: the class for eps(x, c), the null class 4 for eps(x)'}


def classifier_guidance_golden(classifier: torch.nn.Module, smoke: bool) -> tuple[dict, dict] | None:
    """DDIM with classifier guidance: the UNet's unconditional ε (null caption) steered by this
    classifier's ∇ₓ log p_φ(y | x_t, t). Needs the UNet checkpoint of the same mode."""
    try:
        unet, unet_state = load_trained(MODELS['unet'].spec(smoke), checkpoint_dir('unet', smoke))
    except SystemExit:
        print('[export] no UNet checkpoint: classifier-guidance golden file skipped', flush=True)
        return None
    vocab = load_vocabulary()
    shapes = vocab.names('shapes')
    colours = vocab.names('colours')
    abar = alphas_cumprod()
    grad_net = NoisyClassifierGrad(classifier)
    cases = [(colours.index('green') * len(shapes) + shapes.index('square'), 3.0, 0, 50, 0.0),
             (colours.index('magenta') * len(shapes) + shapes.index('circle'), 3.0, 1, 10, 0.0)]
    if smoke:
        cases = [(c, s, seed, 2, eta) for c, s, seed, _, eta in cases]
    tensors, meta_cases = {}, []
    null = vocab.null_tokens(1)
    for i, (y, scale, seed, steps, eta) in enumerate(cases):
        gen = torch.Generator().manual_seed(seed)
        x_T = torch.randn(1, 3, 32, 32, generator=gen)
        noises = torch.randn(steps, 1, 3, 32, 32, generator=gen) if eta > 0 else None

        def eps_fn(x: torch.Tensor, t: float) -> torch.Tensor:
            with torch.no_grad():
                eps = unet(x, torch.full((1,), t), null)
                _, grad = grad_net(x, torch.full((1,), t), torch.tensor([y], dtype=torch.int32))
            return classifier_guide(eps, grad, float(abar[int(t)]), scale)

        x0 = ddim_sample(eps_fn, x_T, steps, eta=eta, noises=noises, spacing=SAMPLER['timestepSpacing'],
                         use_clipped_model_output=SAMPLER['useClippedModelOutput'])
        prefix = f'case{i}'
        tensors[f'{prefix}.xT'] = x_T
        if noises is not None:
            tensors[f'{prefix}.noise'] = noises[:, 0]
        tensors[f'{prefix}.x0'] = x0
        tensors[f'{prefix}.image'] = to_uint8(x0)
        meta_cases.append({'prefix': prefix, 'y': y, 'class': f'{colours[y // len(shapes)]} {shapes[y % len(shapes)]}',
                           'scale': scale, 'seed': seed, 'numInferenceSteps': steps, 'eta': eta,
                           'timesteps': ddim_timesteps(steps, SAMPLER['timestepSpacing'])})
    return tensors, {'cases': meta_cases, 'unet': 'shapes-unet.onnx', 'unetTrainedSteps': unet_state['step'],
                     'tokens': 'null caption (all PAD)',
                     'guidance': 'eps = eps_unet(x, t, null) - scale * sqrt(1 - alphaBar_t) * grad '
                                 '(Dhariwal & Nichol 2021, eq. 14); grad from this model with y = case.y'}


@torch.no_grad()
def evaluator_metrics(model: torch.nn.Module, smoke: bool) -> dict:
    try:
        ds = data.load_dataset(*data.EVALUATOR_TEST, limit=256 if smoke else 5000)
    except SystemExit as missing:
        return {'note': f'evaluator test set missing: {missing}'}
    logits = torch.cat([model(ds.pixels(torch.arange(i, min(i + 500, len(ds)))))[0] for i in range(0, len(ds), 500)])
    heads = model.split(logits)
    targets = evaluator_targets(ds)
    out = {'test_scenes': len(ds), 'test_seed_start': data.EVALUATOR_TEST[1]}
    for i, name in enumerate(evaluator_heads()):
        y = targets[:, i]
        keep = y >= 0
        out[f'accuracy.{name}'] = round((heads[name].argmax(1)[keep] == y[keep]).float().mean().item(), 4)
    return out


@torch.no_grad()
def noisy_classifier_metrics(model: torch.nn.Module, smoke: bool) -> dict:
    try:
        ds = data.load_dataset(*data.EVALUATOR_TEST, limit=256 if smoke else 5000)
    except SystemExit as missing:
        return {'note': f'test set missing: {missing}'}
    from .schedule import alphas_cumprod, q_sample
    ds = ds.subset((ds.column('objectCount') == 1) & (ds.column('heldOut') == 0))
    y = noisy_classifier_label(ds)
    abar, gen, out = alphas_cumprod(), torch.Generator().manual_seed(7), {'test_scenes': len(ds)}
    for t in (0, 250, 500, 750, 900):
        idx = torch.arange(len(ds))
        tt = torch.full((len(ds),), t)
        xt = q_sample(ds.pixels(idx), tt, torch.randn(len(ds), 3, 32, 32, generator=gen), abar)
        out[f'accuracy.t={t}'] = round((model(xt, tt.float()).argmax(1) == y).float().mean().item(), 4)
    return out


@torch.no_grad()
def mixture_metrics(mlp: torch.nn.Module, smoke: bool) -> dict:
    """Samples per class (50 DDIM steps, η = 0): share whose nearest blob has the requested
    class, and mean distance to the nearest blob centre in units of σ, at w = 0 and 3."""
    n, steps = (64, 5) if smoke else (500, 50)
    means = mixture2d.blob_means().float()
    out = {}
    for w in (0.0, 3.0):
        hits, dist = 0, 0.0
        for label in range(mixture2d.NUM_CLASSES):
            gen = torch.Generator().manual_seed(100 + label)
            labels = torch.tensor([label] * n + [mixture2d.NUM_CLASSES] * n, dtype=torch.int32)

            def eps_fn(x: torch.Tensor, t: float) -> torch.Tensor:
                e = mlp(x.repeat(2, 1), torch.full((2 * n,), t), labels)
                return guide(e[:n], e[n:], w)

            x = ddim_sample(eps_fn, torch.randn(n, 2, generator=gen), steps, clip=False)
            d = torch.cdist(x, means)
            nearest = d.argmin(1)
            hits += (mixture2d.blob_class(nearest) == label).sum().item()
            dist += d.min(1).values.sum().item()
        out[f'class accuracy of samples, w={w:g}'] = round(hits / (n * mixture2d.NUM_CLASSES), 4)
        out[f'mean distance to nearest blob centre / σ (exact mixture: √(π/2) ≈ 1.253), w={w:g}'] = round(dist / (n * mixture2d.NUM_CLASSES) / mixture2d.BLOB_STD, 3)
    return out


def unet_metrics(onnx_sha256: str, smoke: bool) -> dict:
    """The `npm run models:eval` table (models/eval/shapes-unet.json) when it scored this very file;
    otherwise a note to run it (the evaluation runs the exported ONNX file, so it comes after export)."""
    path = REPO / 'models' / 'eval' / 'shapes-unet.json'
    if smoke or not path.exists():
        return {'sample quality': 'run `npm run models:eval`, then re-export to copy its table here'}
    report = json.loads(path.read_text())
    if report.get('modelSha256') != onnx_sha256:
        return {'sample quality': f'models/eval/shapes-unet.json scored another file ({report.get("modelSha256", "?")[:12]}); run `npm run models:eval`'}
    pct = lambda v: '—' if v is None else f'{100 * v:.1f} %'
    out = {'evaluation': f"{report['samplesPerCaption']} samples × {len(report['captions']['one'])} one-object + "
                          f"{len(report['captions']['two'])} two-object held-out captions, DDIM {report['steps']} steps, seed {report['seed']}"}
    for row in report['rows']:
        out[f"w = {row['w']:g}: colour / shape / size / position"] = ' / '.join(pct(row[k]) for k in ('colour', 'shape', 'size', 'position'))
        out[f"w = {row['w']:g}: both objects / relation / all (two objects)"] = ' / '.join(pct(row[k]) for k in ('bothObjects', 'relation', 'twoObjectAll'))
        out[f"w = {row['w']:g}: diversity (mean pairwise feature distance)"] = f"{row['diversity']:.2f}"
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_card(model_id: str, entry: dict, report: dict, metrics: dict, smoke: bool,
                contract: tuple[dict, dict] | None = None) -> Path:
    template = (CARDS / 'TEMPLATE.md').read_text()
    ins, outs = contract or io_contract(model_id)
    hw = report.get('hardware', {})
    fields = {
        'id': model_id,
        'title': entry['title'],
        'summary': entry['summary'],
        'architecture': entry['architecture'],
        'data': entry['data'],
        'parameters': f"{entry['parameters']:,}",
        'onnx_bytes': f"{entry['bytes']:,}",
        'sha256': entry['sha256'],
        'io': '\n'.join(f"| input | `{n}` | {d} | [{', '.join(map(str, s))}] |" for n, (d, s) in ins.items()) + '\n' +
              '\n'.join(f"| output | `{n}` | {d} | [{', '.join(map(str, s))}] |" for n, (d, s) in outs.items()),
        'steps': str(report.get('steps')),
        'batch_size': str(report.get('batch_size')),
        'seed': str(report.get('seed')),
        'wall_time': f"{report.get('wall_time_s')} s ({report.get('seconds_per_step')} s/step)" + (
            f"; CPU time {report['cpu_time_s']} s over {hw.get('torch_threads')} threads, so ≈ "
            f"{report['cpu_time_s'] / max(1, hw.get('torch_threads') or 1) / 60:.0f} min on an idle machine"
            if report.get('cpu_time_s') else ''),
        'final_loss': f"{report['final_loss']:.4f}" if isinstance(report.get('final_loss'), float) else 'n/a',
        'hardware': f"{hw.get('cpu')}, {hw.get('torch_threads')} torch threads, torch {hw.get('torch')}",
        'metrics': '\n'.join(f'| {k} | {v} |' for k, v in metrics.items()) or '| — | — |',
        'retrain': f"python3 -m models.train {entry['model']} --seed {report.get('seed')} --steps {report.get('steps')}",
        'smoke_note': '\n> **Smoke export** — a few steps on a little data; not a usable model.\n' if smoke else '',
    }
    for key, value in fields.items():
        template = template.replace('{{' + key + '}}', value)
    out_dir = CACHE / 'smoke' / 'cards' if smoke else CARDS
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f'{model_id}.md'
    path.write_text(template)
    return path


DESCRIPTIONS = {
    'shapes-unet': dict(
        title='Shapes-world text-to-image UNet (with caption encoder)',
        summary='ε-prediction DDPM at 32×32, conditioned on a caption; one network gives ε(x, c) and ε(x) for classifier-free guidance.',
        architecture=('Caption encoder: token + learned position embeddings (dim 128), 2 pre-LN transformer layers '
                      '(4 heads, GELU MLP ×2), padding mask. '
                      f'UNet: channels {"/".join(map(str, UNET_CHANNELS))} at 32/16/8 px; ResBlocks with '
                      'GroupNorm(8)+SiLU and an added time embedding (sinusoidal → MLP); cross-attention to the '
                      'caption tokens at 16×16 (down and up) and 8×8 (down, bottleneck, up), self-attention at 8×8; '
                      'nearest-neighbour upsampling + conv; strided-conv downsampling. EMA weights (0.999) are exported. '
                      f'Caption dropout {CAPTION_DROPOUT:.0%}: the caption is replaced by the null caption (all 16 '
                      'tokens PAD = 0, no BOS/EOS), which is the unconditional input at sampling time. '
                      f'Schedule: {BETA_SCHEDULE} β {BETA_START}→{BETA_END}, T = {NUM_TRAIN_TIMESTEPS}; t is the '
                      '0-based schedule index as float32.'),
        data='Shapes world `train` split (seeds from 0), written by the TypeScript generator; held-out combinations excluded.'),
    'shapes-evaluator': dict(
        title='Shapes-world evaluator (attribute classifier on clean images)',
        summary='The yardstick for generated samples; never used for guidance.',
        architecture=('CNN: 7 conv3×3 + GroupNorm + SiLU layers (48/96/192/96 channels at 32/16/8/4 px); the 4×4 map is '
                      'flattened (no global pooling, so the head knows where things are) → Linear → SiLU → `features` [256] '
                      '→ one linear head per attribute; `logits` concatenates the heads in the order '
                      + ', '.join(f'{n} ({k})' for n, k in evaluator_heads().items()) +
                      '. objectCount class i means i+1 objects. colour/shape/size/position apply to one-object scenes. '
                      'For two objects the heads A/B use a canonical order that the image determines: A is the left '
                      'object if axis = 0 (horizontal), the upper one if axis = 1 (vertical). A caption "X rel Y" maps '
                      'to it by the relation\'s axis and sign in vocabulary.json: sign −1 (left of, above) → A = X, '
                      'B = Y; sign +1 (right of, below) → A = Y, B = X.'),
        data='Shapes world `all` split from seed 1 000 000 000 (includes held-out combinations), disjoint from the diffusion training seeds; tested on `all` from seed 2 000 000 000.'),
    'shapes-noisy-classifier': dict(
        title='Noise-conditional classifier p_φ(y | x_t, t)',
        summary='Classifier for classifier guidance (Dhariwal & Nichol 2021); y = colour index × 4 + shape index of a one-object scene.',
        architecture=('5 conv3×3 layers (32, 64↓, 64, 128↓, 128 channels), each followed by a FiLM of the time embedding '
                      '(scale 1+γ(t), shift β(t)) and SiLU; global mean; linear head to 24 logits. No normalisation layers, '
                      'so the input gradient has a closed form (see the -grad graph).'),
        data='One-object scenes of the shapes-world `train` split, noised with the UNet\'s schedule at uniform t. '
             'The 4 held-out colour+shape pairs never occur as one-object training scenes, so their classes are untrained.'),
    'shapes-noisy-classifier-grad': dict(
        title='Noise-conditional classifier, with ∇ₓ log p_φ(y | x_t, t)',
        summary='Same weights as shapes-noisy-classifier; also returns the gradient that classifier guidance needs.',
        architecture=('onnxruntime-web has no autograd, so the backward pass is written out in the forward graph: '
                      'g = onehot(y) − softmax(logits); through the head g·W; through the mean a broadcast /(H·W); '
                      'through SiLU × σ(z)(1 + z(1 − σ(z))); through FiLM × (1 + γ); through each conv a ConvTranspose with '
                      'the same weights (stride 2 layers with output_padding 1). Checked against torch.autograd at export. '
                      'Chosen over an autograd-export trick because every op is a plain, WebGPU-supported forward op.'),
        data='As shapes-noisy-classifier.'),
    'mixture2d-mlp': dict(
        title='Class-conditional MLP denoiser on a 2-D Gaussian mixture',
        summary='ε̂(x_t, t, class) for 8 blobs on a ring, 4 classes (two neighbouring blobs each); class 4 = null for CFG.',
        architecture=('Input [x, y] concatenated with (MLP(sinusoidal t embedding, 64) + class embedding (5 × 64)); '
                      '3 hidden layers of 128 with SiLU; output ε̂ ∈ ℝ². EMA weights exported. '
                      f'Class dropout {CLASS_DROPOUT:.0%} → null class 4.'),
        data=('Fresh samples every step from the mixture: '
              f'{mixture2d.NUM_BLOBS} blobs, σ = {mixture2d.BLOB_STD}, ring radius {mixture2d.RING_RADIUS:.4f} '
              '(pooled per-coordinate variance 1), equal weights; spec in the golden file.')),
}


def export_family(family: Family, smoke: bool) -> list[dict]:
    """Export every graph of a family (models/train/family.py): ONNX, checks, parity fixture, card,
    manifest entry."""
    ckpt = checkpoint_dir(family.key, smoke)
    net, state = load_trained(family.spec(smoke), ckpt, prefer_ema=family.prefer_ema)
    report_path = ckpt / 'training-report.json'
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    out_dir = export_dir(smoke)
    metrics = family.metrics(net, smoke) if family.metrics else {}
    entries = []
    for ex in family.exports:
        t0 = time.perf_counter()
        module = ex.wrap(net).eval()
        inputs = ex.parity(net, smoke)
        assert list(inputs) == list(ex.inputs), f'{ex.id}: parity inputs {list(inputs)} ≠ contract {list(ex.inputs)}'
        outputs = list(ex.outputs)
        path = out_dir / f'{ex.id}.onnx'
        _export(module, inputs, outputs, path, dynamic_axes(ex.inputs, ex.outputs))
        summary = check_onnx(path, {k: v[0] for k, v in ex.inputs.items()}, {k: v[0] for k, v in ex.outputs.items()})
        reference = _run(module, inputs, outputs)
        extra = ex.check(net, inputs, reference) if ex.check else {}
        write_bundle(out_dir / 'fixtures' / f'{ex.id}.parity',
                     {**inputs, **{f'out.{k}': v for k, v in reference.items()}},
                     {'model': f'{ex.id}.onnx', 'inputs': list(inputs), 'outputs': [f'out.{k}' for k in outputs],
                      'note': 'Run the ONNX model on the inputs; compare with the out.* tensors (PyTorch, float32).', **extra})
        golden = ex.golden(net, smoke) if ex.golden else None
        if golden is not None:
            write_bundle(out_dir / 'fixtures' / f'{ex.id}.golden', golden[0], {'model': f'{ex.id}.onnx', **golden[1]})
        card_metrics = dict(metrics) if ex.metrics else {'metrics': f'on the card of {family.exports[0].id}'}
        if 'gradVsAutogradMaxAbs' in extra:
            card_metrics['max abs difference, hand-written grad vs torch.autograd (parity inputs)'] = f"{extra['gradVsAutogradMaxAbs']:.2e}"
        entry = {
            'id': ex.id, 'tier': 'pocket', 'task': ex.task, 'licence': LICENCE, 'model': family.key,
            'file': f'pocket/{ex.id}.onnx', 'bytes': summary['bytes'], 'sha256': sha256(path), 'opset': OPSET,
            'parameters': sum(p.numel() for p in module.parameters()),
            'inputs': {k: {'dtype': d, 'shape': s} for k, (d, s) in ex.inputs.items()},
            'outputs': {k: {'dtype': d, 'shape': s} for k, (d, s) in ex.outputs.items()},
            'ops': summary['ops'], 'trainedSteps': state['step'], 'seed': state['seed'],
            'parity': f'pocket/fixtures/{ex.id}.parity.json',
            'golden': f'pocket/fixtures/{ex.id}.golden.json' if golden else None,
            'card': f'cards/{ex.id}.md', 'metrics': card_metrics,
            'title': ex.title, 'summary': ex.summary, 'architecture': ex.architecture, 'data': ex.data,
            **extra, **(ex.entry(net, smoke) if ex.entry else {}),
            'requiredFeatures': [], 'memoryEstimateBytes': memory_estimate(path),
        }
        render_card(ex.id, entry, report, card_metrics, smoke, (ex.inputs, ex.outputs))
        print(f'[export] {ex.id}: {summary["bytes"] / 1e6:.2f} MB, {entry["parameters"]:,} params, '
              f'ops {summary["ops"]} ({time.perf_counter() - t0:.1f} s)', flush=True)
        entries.append(entry)
    return entries


def export_model(key: str, smoke: bool) -> list[dict]:
    if key in FAMILIES:
        return export_family(FAMILIES[key], smoke)
    model = MODELS[key]
    spec = model.spec(smoke)
    net, state = load_trained(spec, checkpoint_dir(key, smoke))
    report_path = checkpoint_dir(key, smoke) / 'training-report.json'
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    out_dir = export_dir(smoke)
    entries = []
    for model_id in model.ids:
        t0 = time.perf_counter()
        module = NoisyClassifierGrad(net) if model_id.endswith('-grad') else net
        inputs = parity_inputs(model_id)
        outputs = list(io_contract(model_id)[1])
        path = out_dir / f'{model_id}.onnx'
        _export(module, inputs, outputs, path)
        summary = check_onnx(path, {k: v[0] for k, v in io_contract(model_id)[0].items()},
                             {k: v[0] for k, v in io_contract(model_id)[1].items()})
        reference = _run(module, inputs, outputs)
        extra = {}
        if model_id.endswith('-grad'):
            x = inputs['x'].clone().requires_grad_(True)
            logp = torch.log_softmax(net(x, inputs['t']), 1)[torch.arange(x.shape[0]), inputs['y'].long()].sum()
            (auto,) = torch.autograd.grad(logp, x)
            diff = (auto - reference['grad']).abs().max().item()
            scale = auto.abs().max().item()
            assert diff <= 1e-5 * max(1.0, scale) + 1e-7, f'hand-written gradient differs from autograd by {diff}'
            extra['gradVsAutogradMaxAbs'] = diff
        fixtures = out_dir / 'fixtures'
        write_bundle(fixtures / f'{model_id}.parity', {**inputs, **{f'out.{k}': v for k, v in reference.items()}},
                     {'model': f'{model_id}.onnx', 'inputs': list(inputs), 'outputs': [f'out.{k}' for k in outputs],
                      'note': 'Run the ONNX model on the inputs; compare with the out.* tensors (PyTorch, float32).', **extra})
        golden = None
        if model_id == 'shapes-unet':
            golden = unet_golden(net, smoke)
        elif model_id == 'mixture2d-mlp':
            golden = mixture_golden(net, smoke)
            golden[1]['mixture'] = mixture2d.spec()
        elif model_id == 'shapes-noisy-classifier-grad':
            golden = classifier_guidance_golden(net, smoke)
        if golden is not None:
            clip = model_id != 'mixture2d-mlp'
            sampler = {**SAMPLER, 'clipSample': clip, 'useClippedModelOutput': clip}
            write_bundle(fixtures / f'{model_id}.golden', golden[0],
                         {'model': f'{model_id}.onnx', 'schedule': SCHEDULE, 'sampler': sampler, **golden[1]})
        metrics = {}
        if model_id == 'shapes-evaluator':
            metrics = evaluator_metrics(net, smoke)
        elif model_id == 'shapes-noisy-classifier':
            metrics = noisy_classifier_metrics(net, smoke)
        elif model_id == 'mixture2d-mlp':
            metrics = mixture_metrics(net, smoke)
        elif model_id == 'shapes-unet':
            metrics = unet_metrics(sha256(path), smoke)
        if 'gradVsAutogradMaxAbs' in extra:
            metrics['max abs difference, hand-written grad vs torch.autograd (parity inputs)'] = f"{extra['gradVsAutogradMaxAbs']:.2e}"
        entry = {
            'id': model_id, 'tier': 'pocket', 'task': TASKS[model_id], 'licence': LICENCE,
            'model': key, 'file': f'pocket/{model_id}.onnx', 'bytes': summary['bytes'],
            'sha256': sha256(path), 'opset': OPSET,
            'parameters': sum(p.numel() for p in net.parameters()),
            'inputs': {k: {'dtype': d, 'shape': s} for k, (d, s) in io_contract(model_id)[0].items()},
            'outputs': {k: {'dtype': d, 'shape': s} for k, (d, s) in io_contract(model_id)[1].items()},
            'ops': summary['ops'], 'trainedSteps': state['step'], 'seed': state['seed'],
            'parity': f'pocket/fixtures/{model_id}.parity.json',
            'golden': f'pocket/fixtures/{model_id}.golden.json' if golden else None,
            'card': f'cards/{model_id}.md', 'metrics': metrics, **DESCRIPTIONS[model_id], **extra,
            'requiredFeatures': [], 'memoryEstimateBytes': memory_estimate(path),
        }
        if model_id in ('shapes-unet', 'mixture2d-mlp'):
            entry['schedule'] = SCHEDULE
        render_card(model_id, entry, report, metrics, smoke)
        print(f'[export] {model_id}: {summary["bytes"] / 1e6:.2f} MB, {entry["parameters"]:,} params, '
              f'ops {summary["ops"]} ({time.perf_counter() - t0:.1f} s)', flush=True)
        entries.append(entry)
    return entries


def update_manifest(entries: list[dict], smoke: bool) -> Path:
    path = (CACHE / 'smoke' / 'manifest.json') if smoke else (REPO / 'models' / 'manifest.json')
    doc = json.loads(path.read_text()) if path.exists() else {}
    doc.setdefault('models', {})
    for entry in entries:
        doc['models'][entry['id']] = entry
    # Full-size entries (tier 'full', written by hand) live in the same map but not in the budget.
    total = sum(e['bytes'] for e in doc['models'].values() if e.get('tier', 'pocket') == 'pocket')
    doc['totalOnnxBytes'] = total
    # The repository's total for every pocket ONNX file (CI checks them all). What a reader downloads
    # is per page, and only the models that page's widgets use (`npm run bench` prints bytes per page).
    doc['budgetBytes'] = BUDGET_BYTES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + '\n')
    if total > doc['budgetBytes']:
        raise SystemExit(f'ONNX files total {total} bytes, over the {BUDGET_BYTES / 1e6:.0f} MB budget')
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='python3 -m models.train.export', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('model', choices=[*MODELS, 'all'])
    parser.add_argument('--smoke', action='store_true', help='export the smoke checkpoints under .cache/smoke/')
    args = parser.parse_args(argv)
    runtime.configure()
    keys = list(MODELS) if args.model == 'all' else [args.model]
    entries = [e for key in keys for e in export_model(key, args.smoke)]
    print(f'[export] manifest: {update_manifest(entries, args.smoke)}')


if __name__ == '__main__':
    main(sys.argv[1:])
