"""Helpers shared by the model families: data, a dependency's trained network, the committed
evaluator (as a PyTorch module recovered from its ONNX file) and image metrics."""
import math
from functools import lru_cache

import torch

from .. import data
from ..from_onnx import load_from_onnx
from ..nets.classifiers import Evaluator
from ..paths import POCKET, checkpoint_dir
from ..labels import SMOKE_SCENES, evaluator_heads, evaluator_targets
from ..trainer import load_trained

TEST_SCENES = 2000  # evaluator-test scenes used by the cards' metrics (smoke: 64)


def train_set(smoke: bool) -> data.ShapesDataset:
    """The diffusion `train` split (held-out combinations never appear): every generative part —
    tokenizer, autoencoder, CLIP, language models, denoisers — learns from the same scenes."""
    return data.load_dataset(*data.DIFFUSION_TRAIN, limit=SMOKE_SCENES if smoke else None)


def test_set(smoke: bool) -> data.ShapesDataset:
    return data.load_dataset(*data.EVALUATOR_TEST, limit=64 if smoke else TEST_SCENES)


def trained(key: str, smoke: bool) -> torch.nn.Module:
    """The trained network of another family (EMA weights if it has them), frozen."""
    from . import FAMILIES
    family = FAMILIES[key]
    net, _ = load_trained(family.spec(smoke), checkpoint_dir(key, smoke), prefer_ema=family.prefer_ema)
    return net.requires_grad_(False)


@lru_cache(maxsize=1)
def evaluator() -> Evaluator:
    """The committed shapes-world evaluator, weights read back from models/pocket (and checked
    against its parity fixture), so Python scores exactly what `npm run models:eval` scores."""
    return load_from_onnx(Evaluator(evaluator_heads()), POCKET / 'shapes-evaluator.onnx',
                          POCKET / 'fixtures' / 'shapes-evaluator.parity').requires_grad_(False)


@torch.no_grad()
def evaluator_accuracy(images: torch.Tensor, ds: data.ShapesDataset) -> dict[str, float]:
    """Per-head accuracy of the evaluator on `images` (clamped to [−1, 1]) against `ds`'s labels."""
    ev = evaluator()
    logits = torch.cat([ev(images[i:i + 500].clamp(-1, 1))[0] for i in range(0, len(images), 500)])
    heads = ev.split(logits)
    targets = evaluator_targets(ds)
    out = {}
    for i, name in enumerate(evaluator_heads()):
        y = targets[:, i]
        keep = y >= 0
        if keep.any():
            out[name] = (heads[name].argmax(1)[keep] == y[keep]).float().mean().item()
    return out


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB of images in [−1, 1] (peak-to-peak 2), over the whole set,
    after rounding both to 8-bit values as the site shows them."""
    to8 = lambda x: torch.round((x.clamp(-1, 1) + 1) * 127.5)
    mse = ((to8(a) - to8(b)) ** 2).mean().item()
    return float('inf') if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def pct(x: float) -> str:
    return f'{100 * x:.1f} %'


def batched(fn, x: torch.Tensor, size: int = 500) -> torch.Tensor:
    return torch.cat([fn(x[i:i + size]) for i in range(0, len(x), size)])
