"""The latent UNet of the latent-diffusion chapter: ε-prediction on the shapes autoencoder's scaled
8×8×4 latents, conditioned on the caption through cross-attention (Rombach et al. 2022, §3.3):

    Attention(Q, K, V) = softmax(Q Kᵀ / √d) V,   Q = W_Q φ(z_t),  K = W_K τ_θ(y),  V = W_V τ_θ(y)

with φ(z_t) the flattened UNet features [H·W, C] (queries, one per latent pixel) and τ_θ(y) the
caption encoder's token states [16, d] (keys and values). The same caption encoder as the pixel
UNet (models/train/nets/unet.py), trained from scratch here.

Layout: 8×8: 48 channels (ResBlock + self- and cross-attention) → 4×4: 96 (ResBlock + attention)
→ bottleneck 4×4 (ResBlock, attention, ResBlock) → mirrored decoder with skips. 2 attention layers
at 8×8 and 3 at 4×4.

The export has extra outputs: the cross-attention probabilities, averaged over heads and over the
layers at one resolution — attn8 [B, 64, 16] and attn4 [B, 16, 16] (latent pixels in raster order ×
caption tokens) — so the site can show which word each region attends to."""
import torch
from torch import nn

from .layers import TimeMLP, group_norm
from .unet import CaptionEncoder, ResBlock


class CrossAttentionWithProbs(nn.Module):
    def __init__(self, query_dim: int, context_dim: int, heads: int):
        super().__init__()
        self.heads, self.head_dim = heads, query_dim // heads
        self.to_q = nn.Linear(query_dim, query_dim, bias=False)
        self.to_k = nn.Linear(context_dim, query_dim, bias=False)
        self.to_v = nn.Linear(context_dim, query_dim, bias=False)
        self.to_out = nn.Linear(query_dim, query_dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x: torch.Tensor, context: torch.Tensor, key_bias: torch.Tensor | None):
        q, k, v = self._split(self.to_q(x)), self._split(self.to_k(context)), self._split(self.to_v(context))
        logits = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5)
        if key_bias is not None:
            logits = logits + key_bias[:, None, None, :]
        probs = torch.softmax(logits, dim=-1)                    # [B, H, N, M]
        out = torch.matmul(probs, v)
        b, h, n, d = out.shape
        return self.to_out(out.transpose(1, 2).reshape(b, n, h * d)), probs.mean(dim=1)


class LatentAttention(nn.Module):
    """Self-attention over latent pixels, then cross-attention to the caption; both pre-normed and
    residual. Returns the cross-attention probabilities (head-averaged) too."""

    def __init__(self, channels: int, context_dim: int, heads: int):
        super().__init__()
        self.self_norm = group_norm(channels)
        self.self_attn = CrossAttentionWithProbs(channels, channels, heads)
        self.cross_norm = group_norm(channels)
        self.cross_attn = CrossAttentionWithProbs(channels, context_dim, heads)

    def forward(self, x: torch.Tensor, context: torch.Tensor, bias: torch.Tensor):
        b, c, hgt, wid = x.shape
        h = self.self_norm(x).reshape(b, c, hgt * wid).transpose(1, 2)
        x = x + self.self_attn(h, h, None)[0].transpose(1, 2).reshape(b, c, hgt, wid)
        h = self.cross_norm(x).reshape(b, c, hgt * wid).transpose(1, 2)
        out, probs = self.cross_attn(h, context, bias)
        return x + out.transpose(1, 2).reshape(b, c, hgt, wid), probs


class LatentUNet(nn.Module):
    def __init__(self, vocab_size: int, max_len: int, pad_id: int, latent_channels: int = 4,
                 ch: tuple[int, int] = (48, 96), text_dim: int = 128, text_layers: int = 2, heads: int = 4):
        super().__init__()
        c1, c2 = ch
        tdim = 4 * c1
        self.encoder = CaptionEncoder(vocab_size, max_len, pad_id, text_dim, text_layers, heads)
        self.time = TimeMLP(c1, tdim)
        self.conv_in = nn.Conv2d(latent_channels, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, tdim)
        self.attn_d1 = LatentAttention(c1, text_dim, heads)
        self.pool = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, tdim)
        self.attn_d2 = LatentAttention(c2, text_dim, heads)
        self.mid1 = ResBlock(c2, c2, tdim)
        self.attn_mid = LatentAttention(c2, text_dim, heads)
        self.mid2 = ResBlock(c2, c2, tdim)
        self.up2 = ResBlock(2 * c2, c2, tdim)
        self.attn_u2 = LatentAttention(c2, text_dim, heads)
        self.unpool = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c2, c1, 3, padding=1))
        self.up1 = ResBlock(2 * c1, c1, tdim)
        self.attn_u1 = LatentAttention(c1, text_dim, heads)
        self.norm_out = group_norm(c1)
        self.conv_out = nn.Conv2d(c1, latent_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward_with_attention(self, z: torch.Tensor, t: torch.Tensor, tokens: torch.Tensor):
        context, bias = self.encoder(tokens)
        temb = self.time(t)
        h1, a_d1 = self.attn_d1(self.down1(self.conv_in(z), temb), context, bias)        # 8×8
        h2, a_d2 = self.attn_d2(self.down2(self.pool(h1), temb), context, bias)          # 4×4
        h, a_mid = self.attn_mid(self.mid1(h2, temb), context, bias)
        h = self.mid2(h, temb)
        h, a_u2 = self.attn_u2(self.up2(torch.cat([h, h2], 1), temb), context, bias)     # 4×4
        h, a_u1 = self.attn_u1(self.up1(torch.cat([self.unpool(h), h1], 1), temb), context, bias)  # 8×8
        eps = self.conv_out(torch.nn.functional.silu(self.norm_out(h)))
        return eps, (a_d1 + a_u1) / 2, (a_d2 + a_mid + a_u2) / 3

    def forward(self, z: torch.Tensor, t: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_with_attention(z, t, tokens)[0]


class LatentUNetExport(nn.Module):
    """x [B, 4, 8, 8] (the scaled latent z_t), t [B] float32, tokens int32 [B, 16] →
    eps [B, 4, 8, 8], attn8 [B, 64, 16], attn4 [B, 16, 16]."""

    def __init__(self, unet: LatentUNet):
        super().__init__()
        self.unet = unet

    def forward(self, z: torch.Tensor, t: torch.Tensor, tokens: torch.Tensor):
        return self.unet.forward_with_attention(z, t, tokens)
