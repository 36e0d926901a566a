"""β schedules with the semantics of src/lib/schedules.ts (diffusers names and defaults).

Index convention (diffusers): index i ∈ [0, T−1] holds the paper's timestep t = i + 1, so
alphas_cumprod[0] = ᾱ_1 = 1 − β_1. The network is fed the index i (0…999) as a float.
Computed in float64 like the TypeScript side, then cast where used.
"""
import math

import torch

NUM_TRAIN_TIMESTEPS = 1000
BETA_SCHEDULE = 'linear'
BETA_START = 1e-4
BETA_END = 0.02


def betas_for(schedule: str = BETA_SCHEDULE, T: int = NUM_TRAIN_TIMESTEPS,
              beta_start: float = BETA_START, beta_end: float = BETA_END) -> torch.Tensor:
    if schedule == 'linear':  # Ho et al. 2020, §4: β linear from 1e-4 to 0.02
        return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)
    if schedule == 'squaredcos_cap_v2':  # Nichol & Dhariwal 2021, eq. 17, β capped at 0.999
        def f(tau: float) -> float:
            return math.cos((tau + 0.008) / 1.008 * math.pi / 2) ** 2
        return torch.tensor([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)], dtype=torch.float64)
    raise ValueError(f'unknown beta schedule {schedule!r}')


def alphas_cumprod(schedule: str = BETA_SCHEDULE, T: int = NUM_TRAIN_TIMESTEPS) -> torch.Tensor:
    """ᾱ_t = Π_{s≤t} (1 − β_s) (Ho et al. 2020, notation above eq. 4), float64."""
    return torch.cumprod(1 - betas_for(schedule, T), dim=0)


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, abar: torch.Tensor) -> torch.Tensor:
    """x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (Ho et al. 2020, eq. 4)."""
    a = abar[t].to(x0.dtype).view(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a).sqrt() * noise
