"""The labelled 2-D Gaussian mixture of the class-conditional MLP denoiser.

Eight isotropic Gaussian blobs of std σ on a ring of radius R; blob k has class k // 2, so each
of the 4 classes owns two neighbouring blobs (its conditional is itself bimodal — a better stage
for guidance than one blob per class). R is chosen so that the pooled per-coordinate variance is
1, (R² + 2σ²)/2 = 1, matching src/lib/toy2d/datasets.ts's normalisation. The spec is exported
with the model so the TypeScript side can build the exact (optimal) denoiser of this mixture."""
import math

import torch

NUM_BLOBS = 8
NUM_CLASSES = 4
BLOB_STD = 0.15
RING_RADIUS = math.sqrt(2 - 2 * BLOB_STD ** 2)


def blob_means() -> torch.Tensor:
    angles = torch.arange(NUM_BLOBS, dtype=torch.float64) * (2 * math.pi / NUM_BLOBS)
    return torch.stack([RING_RADIUS * torch.cos(angles), RING_RADIUS * torch.sin(angles)], dim=1)


def blob_class(k: torch.Tensor) -> torch.Tensor:
    return k // (NUM_BLOBS // NUM_CLASSES)


def sample(batch: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Points [B, 2] (float32) and their class labels [B] (int64), blobs equally likely."""
    k = torch.randint(0, NUM_BLOBS, (batch,), generator=gen)
    x = blob_means().float()[k] + BLOB_STD * torch.randn(batch, 2, generator=gen)
    return x, blob_class(k)


def spec() -> dict:
    return {
        'kind': 'gaussian-mixture-2d', 'numClasses': NUM_CLASSES, 'std': BLOB_STD,
        'weights': [1 / NUM_BLOBS] * NUM_BLOBS, 'means': blob_means().tolist(),
        'classes': blob_class(torch.arange(NUM_BLOBS)).tolist(),
    }
