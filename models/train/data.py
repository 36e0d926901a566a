"""Shapes-world datasets written by the TypeScript generator (`npm run models:data`) into
.cache/shapes-world/<folder>/, format in models/shapes-world/README.md. Folders are found by
their meta.json (split and seedStart), not by name."""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .paths import DATA_DIR
from .vocab import load_vocabulary

# Standard seed ranges (models/shapes-world/README.md, 'Splits').
DIFFUSION_TRAIN = ('train', 0)
EVALUATOR_TRAIN = ('all', 1_000_000_000)
EVALUATOR_TEST = ('all', 2_000_000_000)
HELDOUT_CHECK = ('heldout', 3_000_000_000)

LABEL_FIELDS = ['objectCount', 'colour0', 'shape0', 'size0', 'position0', 'colour1', 'shape1',
                'size1', 'relation', 'sizeMentioned', 'positionMentioned', 'heldOut']


@dataclass
class ShapesDataset:
    folder: Path
    meta: dict
    images: torch.Tensor   # uint8 [N, 3, 32, 32] (scale 2: [N, 3, 64, 64])
    tokens: torch.Tensor   # int32 [N, 16]
    labels: torch.Tensor   # int64 [N, 12]

    def __len__(self) -> int:
        return self.images.shape[0]

    def column(self, name: str) -> torch.Tensor:
        return self.labels[:, LABEL_FIELDS.index(name)]

    def pixels(self, index: torch.Tensor) -> torch.Tensor:
        """x = v / 127.5 − 1 ∈ [−1, 1] (README, images.u8)."""
        return self.images[index].float() / 127.5 - 1.0

    def subset(self, mask: torch.Tensor) -> 'ShapesDataset':
        return ShapesDataset(self.folder, self.meta, self.images[mask], self.tokens[mask], self.labels[mask])


def find_dataset(split: str, seed_start: int, minimum: int = 1, scale: int = 1) -> Path:
    candidates = []
    for meta_path in sorted(DATA_DIR.glob('*/meta.json')) if DATA_DIR.exists() else []:
        meta = json.loads(meta_path.read_text())
        if (meta.get('split') == split and meta.get('seedStart') == seed_start and meta.get('count', 0) >= minimum
                and meta.get('scale', 1) == scale):
            candidates.append((meta['count'], meta_path.parent))
    if not candidates:
        raise SystemExit(
            f'No shapes-world dataset with split={split!r}, seedStart={seed_start} and ≥ {minimum} scenes in '
            f'{DATA_DIR}{" at scale " + str(scale) if scale != 1 else ""}. Write it with the TypeScript generator '
            f'(npm run models:data; see models/shapes-world/README.md).')
    return max(candidates)[1]  # the largest one


def load_dataset(split: str, seed_start: int, limit: int | None = None, scale: int = 1) -> ShapesDataset:
    """scale 2: the 64×64 rendering of the same scenes (images [N, 3, 64, 64])."""
    folder = find_dataset(split, seed_start, scale=scale)
    meta = json.loads((folder / 'meta.json').read_text())
    vocab = load_vocabulary()
    if meta.get('format') != 'shapes-world-dataset' or meta.get('formatVersion') != 1:
        raise SystemExit(f'{folder}: unsupported dataset format {meta.get("format")} v{meta.get("formatVersion")}')
    if meta.get('vocabularySha256') != vocab.sha256:
        raise SystemExit(f'{folder}: written with another vocabulary.json (sha256 {meta.get("vocabularySha256")} ≠ '
                         f'{vocab.sha256}); regenerate the data')
    if meta.get('labelFields') != LABEL_FIELDS:
        raise SystemExit(f'{folder}: label fields {meta.get("labelFields")} ≠ {LABEL_FIELDS}')
    n = meta['count'] if limit is None else min(limit, meta['count'])
    length = vocab.max_length
    side = 32 * scale
    images = np.fromfile(folder / 'images.u8', dtype=np.uint8, count=n * 3 * side * side).reshape(n, 3, side, side)
    tokens = np.fromfile(folder / 'tokens.i32', dtype='<i4', count=n * length).reshape(n, length)
    labels = np.fromfile(folder / 'labels.i32', dtype='<i4', count=n * len(LABEL_FIELDS)).reshape(n, len(LABEL_FIELDS))
    return ShapesDataset(folder, meta, torch.from_numpy(images.copy()), torch.from_numpy(tokens.astype(np.int32)),
                         torch.from_numpy(labels.astype(np.int64)))
