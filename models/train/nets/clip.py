"""Pocket CLIP (after Radford et al. 2021): an image tower and a text tower trained so that matching
scene–caption pairs have high cosine similarity, with the symmetric InfoNCE loss over a batch and a
learned temperature. The noisy variant (as GLIDE trained for CLIP guidance, Nichol et al. 2022 §2.4)
gives the image tower x_t and t.

Image tower — a small CNN, not a ViT: it is the same chain of conv → FiLM(t) → SiLU layers as the
book's noisy classifier, whose input gradient has a closed form built from forward ONNX ops (the
browser runtime has no autograd). The noisy tower needs that gradient for CLIP guidance, and the
clean and noisy towers share one architecture so the chapter can compare them honestly. The last
4×4 map is flattened (not averaged) before the projection, so the embedding knows *where* things are.
Without a time input the FiLM layers are absent (the clean tower).

Text tower — a causal transformer over the caption tokens; the state at the EOS token, layer-normed
and linearly projected, is the caption's embedding (CLIP's text encoder does the same with its
[EOS] token). Embeddings are returned unnormalised; the site normalises them (cosine similarity).
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import TimeMLP
from .transformer import CausalTransformer

EMBED_DIM = 64
# (out channels, stride) per conv layer on a 32×32 input → 16, 16, 8, 4 px (receptive field 19 px;
# the flattened 4×4 map lets the projection combine every region).
IMAGE_LAYERS = ((32, 2), (64, 1), (128, 2), (128, 2))
INIT_TEMPERATURE = 0.07  # CLIP initialises τ = 0.07 (logit scale 1/τ), learned as log(1/τ)
MAX_LOGIT_SCALE = 100.0  # and clips the logit scale at 100


class ImageTower(nn.Module):
    def __init__(self, noisy: bool, embed_dim: int = EMBED_DIM, tdim: int = 128):
        super().__init__()
        self.noisy = noisy
        self.time = TimeMLP(32, tdim) if noisy else None
        convs, films = [], []
        cin, size = 3, 32
        for cout, stride in IMAGE_LAYERS:
            convs.append(nn.Conv2d(cin, cout, 3, stride=stride, padding=1))
            if noisy:
                film = nn.Linear(tdim, 2 * cout)
                nn.init.zeros_(film.weight)
                nn.init.zeros_(film.bias)
                films.append(film)
            cin, size = cout, size // stride
        self.convs = nn.ModuleList(convs)
        self.films = nn.ModuleList(films)
        self.final = (cin, size, size)
        self.flat_dim = cin * size * size
        self.proj = nn.Linear(self.flat_dim, embed_dim)

    def _trunk(self, x: torch.Tensor, t: torch.Tensor | None):
        temb = self.time(t) if self.noisy else None
        cache, h = [], x
        for i, conv in enumerate(self.convs):
            z = conv(h)
            scale = None
            if self.noisy:
                gamma, beta = self.films[i](temb).chunk(2, dim=1)
                scale = 1 + gamma[:, :, None, None]
                z = z * scale + beta[:, :, None, None]
            cache.append((z, scale))
            h = F.silu(z)
        return h.reshape(-1, self.flat_dim), cache

    def forward(self, x: torch.Tensor, t: torch.Tensor | None = None) -> torch.Tensor:
        flat, _ = self._trunk(x, t)
        return self.proj(flat)

    def embedding_and_grad(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor):
        """(cos(f(x_t, t), e), ∇ₓ cos) for a text embedding e [B, D], backward written by hand:
          cos = f·e / (‖f‖‖e‖);  ∂cos/∂f = (ê − cos f̂) / ‖f‖         (f̂ = f/‖f‖, ê = e/‖e‖)
          projection (linear):  g_flat = g_f · W
          flatten:              reshape to the last map's [C, H, W]
          SiLU:                 g_z = g_h · σ(z)(1 + z(1 − σ(z)))
          FiLM:                 g_conv = g_z · (1 + γ)
          conv (stride s):      conv_transpose with the same weight, output_padding s − 1."""
        flat, cache = self._trunk(x, t)
        f = self.proj(flat)
        f_norm = torch.sqrt((f * f).sum(-1, keepdim=True))
        e_hat = text / torch.sqrt((text * text).sum(-1, keepdim=True))
        f_hat = f / f_norm
        cos = (f_hat * e_hat).sum(-1, keepdim=True)
        g = (e_hat - cos * f_hat) / f_norm
        g = torch.matmul(g, self.proj.weight).reshape(-1, *self.final)
        for i in reversed(range(len(self.convs))):
            z, scale = cache[i]
            s = torch.sigmoid(z)
            g = g * (s * (1 + z * (1 - s)))
            if scale is not None:
                g = g * scale
            conv = self.convs[i]
            stride = conv.stride[0]
            g = F.conv_transpose2d(g, conv.weight, stride=stride, padding=1, output_padding=stride - 1)
        return cos[:, 0], g


class TextTower(CausalTransformer):
    def __init__(self, vocab_size: int, max_len: int, eos_id: int, embed_dim: int = EMBED_DIM,
                 dim: int = 64, layers: int = 3, heads: int = 4):
        super().__init__(dim, layers, heads, max_len)
        self.eos_id = eos_id
        self.token = nn.Embedding(vocab_size, dim)
        nn.init.normal_(self.token.weight, std=0.02)
        self.proj = nn.Linear(dim, embed_dim, bias=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens int [B, 16] (BOS … EOS PAD …) → embedding [B, D] from the EOS position. The
        causal mask means PAD positions after EOS never influence it. Picked with a one-hot
        matmul (no ArgMax op needed in the graph)."""
        tokens = tokens.long()
        h, _ = self.run(self.token(tokens) + self.position[:, : tokens.shape[1]])
        at_eos = (tokens == self.eos_id).to(h.dtype)[:, None, :]        # [B, 1, N]
        return self.proj(torch.matmul(at_eos, h)[:, 0])


class PocketClip(nn.Module):
    def __init__(self, vocab_size: int, max_len: int, eos_id: int, noisy: bool = False):
        super().__init__()
        self.image = ImageTower(noisy)
        self.text = TextTower(vocab_size, max_len, eos_id)
        # log of the logit scale 1/τ, initialised at τ = 0.07
        self.log_scale = nn.Parameter(torch.tensor(math.log(1 / INIT_TEMPERATURE)))

    def logit_scale(self) -> torch.Tensor:
        return self.log_scale.exp().clamp(max=MAX_LOGIT_SCALE)


def contrastive_loss(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor,
                     same: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric InfoNCE (Radford et al. 2021, Fig. 3): logits = s · Î Tᵀ over the N×N batch;
    cross-entropy of each image over the texts (rows) and of each text over the images (columns),
    averaged. `same` [N, N] marks pairs with the *same caption* (the shapes world repeats captions);
    those off-diagonal entries are masked out of the softmax so a correct match is never a negative."""
    i = F.normalize(image, dim=-1)
    t = F.normalize(text, dim=-1)
    logits = logit_scale * i @ t.t()
    if same is not None:
        eye = torch.eye(len(logits), dtype=torch.bool)
        logits = logits.masked_fill(same & ~eye, -1e4)
    target = torch.arange(len(logits))
    loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
    return loss, logits


class ClipImageExport(nn.Module):
    """x [B, 3, 32, 32] (clean, [−1, 1]) → embedding [B, D]."""

    def __init__(self, clip: PocketClip):
        super().__init__()
        self.tower = clip.image

    def forward(self, x: torch.Tensor):
        return self.tower(x)


class ClipTextExport(nn.Module):
    """tokens int32 [B, 16] → embedding [B, D]."""

    def __init__(self, clip: PocketClip):
        super().__init__()
        self.tower = clip.text

    def forward(self, tokens: torch.Tensor):
        return self.tower(tokens)


class NoisyClipGradExport(nn.Module):
    """x_t [B, 3, 32, 32], t [B] (float32 schedule index), text embedding [B, D] (from the pocket
    CLIP's text tower) → similarity [B] (cosine) and grad [B, 3, 32, 32] = ∇ₓ cosine."""

    def __init__(self, clip: PocketClip):
        super().__init__()
        self.tower = clip.image

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor):
        return self.tower.embedding_and_grad(x, t, text)
