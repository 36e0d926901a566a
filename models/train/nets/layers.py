"""Building blocks shared by the pocket networks."""
import math

import torch
from torch import nn


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding of a float timestep (Vaswani et al. 2017 §3.5; Ho et al. 2020 App. B):
    [cos(t·f_k), sin(t·f_k)] with f_k = max_period^(−k/(dim/2)), k = 0…dim/2−1.
    t is the training-schedule index 0…T−1 as float32, shape [B]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class TimeMLP(nn.Module):
    """Sinusoidal embedding → Linear → SiLU → Linear."""

    def __init__(self, base_dim: int, out_dim: int):
        super().__init__()
        self.base_dim = base_dim
        self.net = nn.Sequential(nn.Linear(base_dim, out_dim), nn.SiLU(), nn.Linear(out_dim, out_dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.net(timestep_embedding(t, self.base_dim))


def group_norm(channels: int) -> nn.GroupNorm:
    """GroupNorm with up to 8 groups; torch 1.13 exports it as Reshape + InstanceNormalization."""
    groups = 8 if channels % 8 == 0 else 1
    return nn.GroupNorm(groups, channels)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention written with MatMul/Softmax so the export is plain ops.
    query [B, N, Dq], context [B, M, Dc]; key_bias [B, M] is added to the logits (0 for kept
    keys, −1e4 for padding: finite, so an all-padding row gives a uniform average, not NaN)."""

    def __init__(self, query_dim: int, context_dim: int, heads: int):
        super().__init__()
        assert query_dim % heads == 0
        self.heads = heads
        self.head_dim = query_dim // heads
        self.to_q = nn.Linear(query_dim, query_dim, bias=False)
        self.to_k = nn.Linear(context_dim, query_dim, bias=False)
        self.to_v = nn.Linear(context_dim, query_dim, bias=False)
        self.to_out = nn.Linear(query_dim, query_dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, context: torch.Tensor, key_bias: torch.Tensor | None = None) -> torch.Tensor:
        q = self._split(self.to_q(x))
        k = self._split(self.to_k(context))
        v = self._split(self.to_v(context))
        logits = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5)
        if key_bias is not None:
            logits = logits + key_bias[:, None, None, :]
        out = torch.matmul(torch.softmax(logits, dim=-1), v)
        b, h, n, d = out.shape
        return self.to_out(out.transpose(1, 2).reshape(b, n, h * d))
