"""Caption encoder + text-conditional UNet (ε-prediction) for 32×32 shapes-world scenes.

Layout (channels): 32×32: 32 → 16×16: 64 (+cross-attn) → 8×8: 128 (+self- and cross-attn)
→ bottleneck 8×8 (ResBlock, attn, ResBlock) → mirrored decoder with skip connections
(nearest upsampling + conv that halves the channels, concatenation with the encoder's features).
Conditioning: timestep → sinusoidal embedding → MLP → added per channel in every ResBlock
(Ho et al. 2020, App. B); caption → token embeddings + learned positions → pre-LN transformer
→ keys/values of the cross-attention at 16×16 and 8×8 (Rombach et al. 2022 style, at small scale).
The null caption (all PAD) is the unconditional branch used for classifier-free guidance.
"""
import torch
from torch import nn

from .layers import MultiHeadAttention, TimeMLP, group_norm


class CaptionEncoder(nn.Module):
    """Token embedding + learned positional embedding + pre-LN transformer encoder with a
    padding mask. Input tokens int (any integer dtype, cast to int64 inside for Gather)."""

    def __init__(self, vocab_size: int, max_len: int, pad_id: int, dim: int = 128, layers: int = 2, heads: int = 4):
        super().__init__()
        self.pad_id = pad_id
        self.token = nn.Embedding(vocab_size, dim)
        self.position = nn.Parameter(torch.zeros(1, max_len, dim))
        nn.init.normal_(self.position, std=0.02)
        self.blocks = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)

    def key_bias(self, tokens: torch.Tensor) -> torch.Tensor:
        """0 for real tokens, −1e4 for PAD (added to attention logits)."""
        return (tokens == self.pad_id).float() * -1e4

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        tokens = tokens.long()
        bias = self.key_bias(tokens)
        h = self.token(tokens) + self.position[:, : tokens.shape[1]]
        for block in self.blocks:
            h = block(h, bias)
        return self.norm(h), bias


class EncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, bias)
        return x + self.ff(self.norm2(x))


class ResBlock(nn.Module):
    """GroupNorm → SiLU → Conv → (+ time) → GroupNorm → SiLU → Conv, plus a 1×1 skip if needed."""

    def __init__(self, cin: int, cout: int, tdim: int):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(tdim, cout)
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(self.act(self.norm1(x)))
        h = h + self.time(temb)[:, :, None, None]
        h = self.conv2(self.act(self.norm2(h)))
        return self.skip(x) + h


class SpatialAttention(nn.Module):
    """Optional self-attention over pixels, then cross-attention from pixels to caption tokens,
    each pre-normalised and residual."""

    def __init__(self, channels: int, context_dim: int, heads: int, self_attention: bool):
        super().__init__()
        self.self_norm = group_norm(channels) if self_attention else None
        self.self_attn = MultiHeadAttention(channels, channels, heads) if self_attention else None
        self.cross_norm = group_norm(channels)
        self.cross_attn = MultiHeadAttention(channels, context_dim, heads)

    def forward(self, x: torch.Tensor, context: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, c, hgt, wid = x.shape
        if self.self_attn is not None:
            h = self.self_norm(x).reshape(b, c, hgt * wid).transpose(1, 2)
            x = x + self.self_attn(h, h).transpose(1, 2).reshape(b, c, hgt, wid)
        h = self.cross_norm(x).reshape(b, c, hgt * wid).transpose(1, 2)
        return x + self.cross_attn(h, context, bias).transpose(1, 2).reshape(b, c, hgt, wid)


# Channels at 32×32, 16×16 and 8×8: ≈ 0.49 GFLOP per image. A quarter of that, (16, 32, 64), was
# tried for speed and fell far short of the accuracy bar (models/train/README.md, "Smaller UNet").
UNET_CHANNELS = (32, 64, 128)


class TextUNet(nn.Module):
    def __init__(self, vocab_size: int, max_len: int, pad_id: int, ch: tuple[int, int, int] = UNET_CHANNELS,
                 text_dim: int = 128, text_layers: int = 2, heads: int = 4, in_channels: int = 3):
        super().__init__()
        c1, c2, c3 = ch
        tdim = 4 * c1
        self.encoder = CaptionEncoder(vocab_size, max_len, pad_id, text_dim, text_layers, heads)
        self.time = TimeMLP(c1, tdim)
        # 3 channels (x_t); the inpainting model adds 4 (masked image and mask; GLIDE §3.3)
        self.conv_in = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, tdim)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, tdim)
        self.attn_d2 = SpatialAttention(c2, text_dim, heads, self_attention=False)
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.down3 = ResBlock(c2, c3, tdim)
        self.attn_d3 = SpatialAttention(c3, text_dim, heads, self_attention=True)
        self.mid1 = ResBlock(c3, c3, tdim)
        self.attn_mid = SpatialAttention(c3, text_dim, heads, self_attention=True)
        self.mid2 = ResBlock(c3, c3, tdim)
        self.up3 = ResBlock(c3 + c3, c3, tdim)
        self.attn_u3 = SpatialAttention(c3, text_dim, heads, self_attention=True)
        # Upsampling convs halve the channels (the costliest convs of the net would otherwise be
        # these two at full width on the larger grid).
        self.unpool2 = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c3, c2, 3, padding=1))
        self.up2 = ResBlock(c2 + c2, c2, tdim)
        self.attn_u2 = SpatialAttention(c2, text_dim, heads, self_attention=False)
        self.unpool1 = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c2, c1, 3, padding=1))
        self.up1 = ResBlock(c1 + c1, c1, tdim)
        self.norm_out = group_norm(c1)
        self.conv_out = nn.Conv2d(c1, 3, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        context, bias = self.encoder(tokens)
        temb = self.time(t)
        h1 = self.down1(self.conv_in(x), temb)                       # 32×32
        h2 = self.attn_d2(self.down2(self.pool1(h1), temb), context, bias)  # 16×16
        h3 = self.attn_d3(self.down3(self.pool2(h2), temb), context, bias)  # 8×8
        h = self.mid1(h3, temb)
        h = self.mid2(self.attn_mid(h, context, bias), temb)
        h = self.attn_u3(self.up3(torch.cat([h, h3], 1), temb), context, bias)   # 8×8
        h = self.attn_u2(self.up2(torch.cat([self.unpool2(h), h2], 1), temb), context, bias)  # 16×16
        h = self.up1(torch.cat([self.unpool1(h), h1], 1), temb)      # 32×32
        return self.conv_out(torch.nn.functional.silu(self.norm_out(h)))
