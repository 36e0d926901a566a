"""A pocket-model family: how one network is trained and what ONNX graphs it is exported as.

The first models (UNet, evaluator, noisy classifier, 2-D MLP) are described inline in export.py;
every model since then is a `Family` in `models/train/families/`, so adding a model adds one file.
One trained network may export several graphs (an encoder and a decoder, a full pass and a cached
step, a tower and its gradient), each with its own IO contract, parity fixture, card and manifest
entry."""
from dataclasses import dataclass, field
from typing import Callable

import torch

from .trainer import TrainSpec

Contract = dict[str, tuple[str, list]]  # name → (dtype, shape); a string dimension is symbolic (dynamic)


@dataclass
class Export:
    id: str
    wrap: Callable[[torch.nn.Module], torch.nn.Module]
    """trained network → the module whose forward is exported"""
    inputs: Contract
    outputs: Contract
    parity: Callable[[torch.nn.Module, bool], dict[str, torch.Tensor]]
    """(trained network, smoke) → the fixture inputs, in contract order"""
    task: str
    title: str
    summary: str
    architecture: str
    data: str
    golden: Callable[[torch.nn.Module, bool], tuple[dict, dict]] | None = None
    entry: Callable[[torch.nn.Module, bool], dict] | None = None
    """extra manifest fields (e.g. a latent scaling factor, a logit scale, a token offset)"""
    metrics: bool = True
    """show the family's metrics on this card (an encoder/decoder pair shares one table)"""
    check: Callable[[torch.nn.Module, dict, dict], dict] | None = None
    """(trained network, parity inputs, exported module's outputs) → facts for the manifest; raises
    if the export is wrong (e.g. a hand-written gradient that differs from autograd)"""


@dataclass
class Family:
    key: str
    spec: Callable[[bool], TrainSpec]
    exports: list[Export]
    metrics: Callable[[torch.nn.Module, bool], dict] | None = None
    depends: tuple[str, ...] = ()
    """families whose checkpoints this one reads (trained first by `all`)"""
    prefer_ema: bool = True
    notes: dict = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.exports]


def dynamic_axes(contract_in: Contract, contract_out: Contract) -> dict[str, dict[int, str]]:
    return {name: {i: d for i, d in enumerate(shape) if isinstance(d, str)}
            for name, (_, shape) in {**contract_in, **contract_out}.items()}
