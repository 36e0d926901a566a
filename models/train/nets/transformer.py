"""Decoder-only (causal) transformer pieces shared by the caption language model, the pocket DALL·E
and the pocket CLIP's text tower.

Pre-LN blocks (GPT-2 style, Radford et al. 2019, §2.3): x + Attn(LN(x)), then x + MLP(LN(x)).
Attention is written with MatMul/Softmax and an additive mask so the ONNX export is plain ops. A
block can also run incrementally with a key/value cache: given the keys and values of the `past`
positions it computes only the new positions (what makes sampling N tokens cost O(N) block calls
instead of O(N²))."""
import torch
from torch import nn

NEG = -1e4  # finite "minus infinity" for masked logits (an all-masked row stays finite)


def causal_bias(n: int) -> torch.Tensor:
    """[n, n]: 0 where key j ≤ query i, NEG above the diagonal."""
    return torch.triu(torch.full((n, n), NEG), diagonal=1)


class CausalSelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        assert dim % heads == 0
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)  # [B, H, N, Dh]

    def forward(self, x: torch.Tensor, bias: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None = None,
                return_probs: bool = False):
        """x [B, N, D]; bias broadcastable to [B, H, N, P + N]; past = (k, v) each [B, H, P, Dh].
        Returns (out [B, N, D], (k, v) of all P + N positions[, attention probabilities])."""
        q, k, v = (self._split(t) for t in self.qkv(x).chunk(3, dim=-1))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        logits = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5) + bias
        probs = torch.softmax(logits, dim=-1)
        out = torch.matmul(probs, v)
        b, h, n, d = out.shape
        out = self.out(out.transpose(1, 2).reshape(b, n, h * d))
        return (out, (k, v), probs) if return_probs else (out, (k, v))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int = 4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x: torch.Tensor, bias: torch.Tensor, past=None):
        h, kv = self.attn(self.norm1(x), bias, past)
        x = x + h
        return x + self.mlp(self.norm2(x)), kv


class CausalTransformer(nn.Module):
    """Token embedding(s) + learned positions + pre-LN blocks + final LayerNorm. Subclasses decide
    the embedding of the sequence and the heads."""

    def __init__(self, dim: int, layers: int, heads: int, max_len: int):
        super().__init__()
        self.dim, self.layers_n, self.heads, self.max_len = dim, layers, heads, max_len
        self.position = nn.Parameter(torch.zeros(1, max_len, dim))
        nn.init.normal_(self.position, std=0.02)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.register_buffer('mask', causal_bias(max_len), persistent=False)
        self.apply(_init)

    def run(self, h: torch.Tensor, extra_bias: torch.Tensor | None = None) -> tuple[torch.Tensor, list]:
        """h [B, N, D] (embeddings + positions) through every block with a causal mask; returns the
        normalised states and each block's (k, v)."""
        n = h.shape[1]
        bias = self.mask[:n, :n][None, None]
        if extra_bias is not None:
            bias = bias + extra_bias
        cache = []
        for block in self.blocks:
            h, kv = block(h, bias)
            cache.append(kv)
        return self.norm(h), cache

    def run_cached(self, h: torch.Tensor, past: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, list]:
        """One new position per sequence (h [B, 1, D]) attending to every cached position and
        itself: no mask is needed, nothing later exists yet."""
        bias = torch.zeros(1, 1, 1, 1)
        cache = []
        for block, kv in zip(self.blocks, past):
            h, kv = block(h, bias, kv)
            cache.append(kv)
        return self.norm(h), cache


def _init(m: nn.Module) -> None:
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Embedding):
        nn.init.normal_(m.weight, std=0.02)


def stack_cache(cache: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """[(k, v)] per layer, each [B, H, P, Dh] → one tensor [B, 2·L, H, P, Dh] (batch first, so the
    ONNX graph keeps one dynamic batch axis): layer l's keys at 2l, values at 2l + 1."""
    return torch.stack([t for kv in cache for t in kv], dim=1)


def unstack_cache(past: torch.Tensor, layers: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(past[:, 2 * i], past[:, 2 * i + 1]) for i in range(layers)]
