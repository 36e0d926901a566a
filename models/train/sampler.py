"""Reference DDIM sampler with classifier-free guidance, written to reproduce, operation for
operation, what the TypeScript side computes with src/lib/samplers/ddim.ts (diffusers'
DDIMScheduler semantics) and src/lib/guidance.ts:
  - timesteps: diffusers set_timesteps with the given spacing; prev = t − ⌊T/n⌋; ᾱ_prev = 1 after
    the last step (set_alpha_to_one);
  - x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t, clipped to [−1, 1] (clip_sample); with
    use_clipped_model_output, ε̂ is then recomputed from the clipped x̂₀: (x_t − √ᾱ_t x̂₀)/√(1−ᾱ_t);
  - x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ²) ε̂ + σ z, σ = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_prev))
    (Song et al. 2021, eqs. 12 and 16);
  - guidance ε̃ = (1 + w) ε(x, c) − w ε(x) (Ho & Salimans 2022, eq. 6).
Scalars are float64 and every per-element result is rounded to float32 where the TypeScript code
stores it in a Float32Array, so the two agree to float32 rounding given the same model outputs."""
import math
from typing import Callable

import torch

from .schedule import NUM_TRAIN_TIMESTEPS, alphas_cumprod


def ddim_timesteps(num_steps: int, spacing: str, T: int = NUM_TRAIN_TIMESTEPS) -> list[int]:
    """src/lib/samplers/timesteps.ts discreteTimesteps (offset 0)."""
    if spacing == 'leading':
        ratio = T // num_steps
        return [(num_steps - 1 - i) * ratio for i in range(num_steps)]
    if spacing == 'trailing':
        ratio = T / num_steps
        length = max(0, math.ceil((0 - T) / -ratio))
        return [round(T - i * ratio) - 1 for i in range(length)]  # Python round = half to even, like numpy
    if spacing == 'linspace':
        if num_steps == 1:
            return [0]
        step = (T - 1) / (num_steps - 1)
        values = [i * step for i in range(num_steps)]
        values[-1] = T - 1
        return [round(v) for v in reversed(values)]
    raise ValueError(spacing)


def guide(cond: torch.Tensor, uncond: torch.Tensor, w: float) -> torch.Tensor:
    return ((1 + w) * cond.double() - w * uncond.double()).float()


def classifier_guide(eps: torch.Tensor, grad_log_p: torch.Tensor, alpha_bar_t: float, scale: float) -> torch.Tensor:
    """ε̃ = ε − s·√(1 − ᾱ_t)·∇ₓ log p_φ(y | x_t) (Dhariwal & Nichol 2021, eq. 14 / Algorithm 2)."""
    return (eps.double() - scale * math.sqrt(1 - alpha_bar_t) * grad_log_p.double()).float()


def ddim_sample(eps_fn: Callable[[torch.Tensor, float], torch.Tensor], x_T: torch.Tensor, num_steps: int,
                eta: float = 0.0, spacing: str = 'leading', noises: torch.Tensor | None = None,
                clip: bool = True, abar: torch.Tensor | None = None,
                record: list | None = None, use_clipped_model_output: bool = False,
                after_step: Callable[[torch.Tensor, int], torch.Tensor] | None = None) -> torch.Tensor:
    """eps_fn(x_t, t) → ε̃ (already guided). noises [num_steps, *x.shape] is used when eta > 0.
    after_step(x, prev_t) may replace x after each step (prev_t = −1 after the last step): the
    replacement method of inpainting resets the known region there."""
    abar = alphas_cumprod() if abar is None else abar
    T = abar.shape[0]
    timesteps = ddim_timesteps(num_steps, spacing, T)
    stride = T // num_steps
    x = x_T.float()
    for i, t in enumerate(timesteps):
        eps = eps_fn(x, float(t)).float()
        a_t = float(abar[t])
        prev = t - stride
        a_prev = float(abar[prev]) if prev >= 0 else 1.0
        x0 = ((x.double() - math.sqrt(1 - a_t) * eps.double()) / math.sqrt(a_t)).float()
        if clip:
            x0 = x0.clamp(-1.0, 1.0)
        if use_clipped_model_output:
            eps = ((x.double() - math.sqrt(a_t) * x0.double()) / math.sqrt(1 - a_t)).float()
        variance = (1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)
        std = eta * math.sqrt(variance)
        out = math.sqrt(a_prev) * x0.double() + math.sqrt(1 - a_prev - std * std) * eps.double()
        if eta > 0:
            if noises is None:
                raise ValueError('eta > 0 needs per-step noise')
            out = out + std * noises[i].double()
        x = out.float()
        if after_step is not None:
            x = after_step(x, prev)
        if record is not None:
            record.append((t, x0, x))
    return x


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[−1, 1] → 0…255: round((x + 1)·127.5) clamped (inverse of the dataset's v/127.5 − 1)."""
    return torch.round((x.double().clamp(-1, 1) + 1) * 127.5).clamp(0, 255).to(torch.uint8)
