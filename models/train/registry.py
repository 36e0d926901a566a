"""The pocket models: what each one is, how it is trained, and how big a smoke run is."""
from dataclasses import dataclass
from typing import Callable

import torch
from torch.nn import functional as F

from . import data, mixture2d
from .nets.classifiers import Evaluator, NoisyClassifier
from .nets.mlp2d import MLPDenoiser
from .nets.unet import TextUNet
from .schedule import BETA_SCHEDULE, NUM_TRAIN_TIMESTEPS, alphas_cumprod, q_sample
from .trainer import TrainSpec
from .vocab import load_vocabulary

from .labels import (CAPTION_DROPOUT, CLASS_DROPOUT, SMOKE_BATCH, SMOKE_SCENES, SMOKE_STEPS,  # noqa: F401
                     canonical_two_objects, evaluator_heads, evaluator_targets)


@dataclass
class PocketModel:
    key: str             # CLI name
    ids: list[str]       # exported ONNX ids (models/pocket/<id>.onnx)
    spec: Callable[[bool], TrainSpec]  # smoke → spec


def _sample_index(n: int, batch: int, gen: torch.Generator) -> torch.Tensor:
    return torch.randint(0, n, (batch,), generator=gen)


def unet_spec(smoke: bool) -> TrainSpec:
    vocab = load_vocabulary()
    ds = data.load_dataset(*data.DIFFUSION_TRAIN, limit=SMOKE_SCENES if smoke else None)
    abar = alphas_cumprod()
    batch = SMOKE_BATCH if smoke else 64

    def loss(model: TextUNet, gen: torch.Generator) -> torch.Tensor:
        idx = _sample_index(len(ds), batch, gen)
        x0 = ds.pixels(idx)
        tokens = ds.tokens[idx].clone()
        drop = torch.rand(batch, generator=gen) < CAPTION_DROPOUT
        tokens[drop] = vocab.pad  # the null caption: all PAD
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        # L_simple (Ho et al. 2020, eq. 14): ‖ε − ε_θ(x_t, t, c)‖², t uniform.
        return F.mse_loss(model(q_sample(x0, t, noise, abar), t.float(), tokens), noise)

    return TrainSpec(
        name='unet', build=lambda: TextUNet(len(vocab.words), vocab.max_length, vocab.pad),
        # 5000 steps: ≈ 1.3 h on an idle 2-core machine; reaches ≥ 95 % colour and shape at w = 3 (card).
        loss=loss, default_steps=30 if smoke else 5000, lr=5e-4, batch_size=batch, warmup=200,
        ema_decay=0.999, describe={
            'dataset': str(ds.folder), 'dataset_scenes': len(ds), 'caption_dropout': CAPTION_DROPOUT,
            'beta_schedule': BETA_SCHEDULE, 'num_train_timesteps': NUM_TRAIN_TIMESTEPS})


def evaluator_spec(smoke: bool) -> TrainSpec:
    ds = data.load_dataset(*data.EVALUATOR_TRAIN, limit=SMOKE_SCENES if smoke else None)
    batch = SMOKE_BATCH if smoke else 128
    sizes = evaluator_heads()
    targets = evaluator_targets(ds)

    def loss(model: Evaluator, gen: torch.Generator) -> torch.Tensor:
        idx = _sample_index(len(ds), batch, gen)
        heads = model.split(model(ds.pixels(idx))[0])
        y = targets[idx]
        # Sum of per-head cross-entropies; −1 (not applicable) is ignored.
        return sum(F.cross_entropy(heads[name], y[:, i], ignore_index=-1)
                   if (y[:, i] >= 0).any() else heads[name].sum() * 0.0
                   for i, name in enumerate(sizes))

    return TrainSpec(name='evaluator', build=lambda: Evaluator(sizes), loss=loss,
                     default_steps=30 if smoke else 3000, lr=2e-3, batch_size=batch, warmup=100,
                     weight_decay=1e-4, describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds),
                                                  'heads': sizes})


def noisy_classifier_classes() -> int:
    vocab = load_vocabulary()
    return len(vocab.names('colours')) * len(vocab.names('shapes'))


def noisy_classifier_label(ds: data.ShapesDataset) -> torch.Tensor:
    """y = colour index × (number of shapes) + shape index of object 0."""
    return ds.column('colour0') * len(load_vocabulary().names('shapes')) + ds.column('shape0')


def noisy_classifier_spec(smoke: bool) -> TrainSpec:
    ds = data.load_dataset(*data.DIFFUSION_TRAIN, limit=SMOKE_SCENES if smoke else None)
    ds = ds.subset(ds.column('objectCount') == 1)
    y_all = noisy_classifier_label(ds)
    abar = alphas_cumprod()
    batch = SMOKE_BATCH if smoke else 128

    def loss(model: NoisyClassifier, gen: torch.Generator) -> torch.Tensor:
        idx = _sample_index(len(ds), batch, gen)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        xt = q_sample(ds.pixels(idx), t, torch.randn(batch, 3, 32, 32, generator=gen), abar)
        return F.cross_entropy(model(xt, t.float()), y_all[idx])

    return TrainSpec(name='noisy-classifier', build=lambda: NoisyClassifier(noisy_classifier_classes()),
                     loss=loss, default_steps=30 if smoke else 3000, lr=1e-3, batch_size=batch,
                     warmup=100, describe={'dataset': str(ds.folder), 'dataset_scenes': len(ds),
                                           'classes': 'colour_index * num_shapes + shape_index (one-object scenes)'})


def mixture2d_spec(smoke: bool) -> TrainSpec:
    abar = alphas_cumprod()
    batch = 64 if smoke else 512

    def loss(model: MLPDenoiser, gen: torch.Generator) -> torch.Tensor:
        x0, label = mixture2d.sample(batch, gen)
        label[torch.rand(batch, generator=gen) < CLASS_DROPOUT] = mixture2d.NUM_CLASSES  # null class
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch,), generator=gen)
        noise = torch.randn(batch, 2, generator=gen)
        return F.mse_loss(model(q_sample(x0, t, noise, abar), t.float(), label), noise)

    return TrainSpec(name='mixture2d', build=lambda: MLPDenoiser(mixture2d.NUM_CLASSES), loss=loss,
                     default_steps=50 if smoke else 6000, lr=1e-3, batch_size=batch, warmup=200,
                     ema_decay=0.999, describe={'data': mixture2d.spec(), 'class_dropout': CLASS_DROPOUT,
                                                'beta_schedule': BETA_SCHEDULE,
                                                'num_train_timesteps': NUM_TRAIN_TIMESTEPS})


MODELS = {
    'unet': PocketModel('unet', ['shapes-unet'], unet_spec),
    'evaluator': PocketModel('evaluator', ['shapes-evaluator'], evaluator_spec),
    'noisy-classifier': PocketModel('noisy-classifier', ['shapes-noisy-classifier', 'shapes-noisy-classifier-grad'],
                                    noisy_classifier_spec),
    'mixture2d': PocketModel('mixture2d', ['mixture2d-mlp'], mixture2d_spec),
}


# Every model since the first four is a Family in models/train/families/ (imported last: the
# families use the helpers above). `all` trains them in this order, dependencies first.
from .families import FAMILIES  # noqa: E402

for _family in FAMILIES.values():
    MODELS[_family.key] = PocketModel(_family.key, _family.ids, _family.spec)
