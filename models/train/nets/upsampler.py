"""The cascade's super-resolution model (after Saharia et al. 2021 / Ho et al. 2021, "Cascaded
Diffusion Models"): ε-prediction of a 64×64 image given its 32×32 version.

Conditioning: the low-resolution image z (noise-augmented by the caller: z_s = √ᾱ_s z + √(1 − ᾱ_s) ε,
with the augmentation level s also given to the network — CDM's conditioning augmentation) is
upsampled bilinearly inside the network and concatenated with x_t as extra input channels.
Fully convolutional (no attention, no fixed sizes), so it trains on random 32×32 crops of 64×64
images (with the matching 16×16 crops of the low-resolution image) and runs on whole 64×64 images.
No caption: at this size the low-resolution image already fixes what the picture shows."""
import torch
from torch import nn
from torch.nn import functional as F

from .layers import TimeMLP, group_norm
from .unet import ResBlock

UPSAMPLER_CHANNELS = (32, 64, 64)


class Upsampler(nn.Module):
    def __init__(self, ch: tuple[int, int, int] = UPSAMPLER_CHANNELS):
        super().__init__()
        c1, c2, c3 = ch
        tdim = 4 * c1
        self.time = TimeMLP(c1, tdim)
        self.aug = TimeMLP(c1, tdim)  # embedding of the augmentation level s, added to the time embedding
        self.conv_in = nn.Conv2d(6, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, tdim)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2 = ResBlock(c1, c2, tdim)
        self.pool2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.down3 = ResBlock(c2, c3, tdim)
        self.mid = ResBlock(c3, c3, tdim)
        self.up3 = ResBlock(2 * c3, c3, tdim)
        self.unpool2 = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c3, c2, 3, padding=1))
        self.up2 = ResBlock(2 * c2, c2, tdim)
        self.unpool1 = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c2, c1, 3, padding=1))
        self.up1 = ResBlock(2 * c1, c1, tdim)
        self.norm_out = group_norm(c1)
        self.conv_out = nn.Conv2d(c1, 3, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor, low: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """x [B, 3, H, W] = x_t; low [B, 3, H/2, W/2] (noise-augmented); t, s [B] float32 indices."""
        up = F.interpolate(low, scale_factor=2.0, mode='bilinear', align_corners=False)
        temb = self.time(t) + self.aug(s)
        h1 = self.down1(self.conv_in(torch.cat([x, up], 1)), temb)
        h2 = self.down2(self.pool1(h1), temb)
        h3 = self.down3(self.pool2(h2), temb)
        h = self.mid(h3, temb)
        h = self.up3(torch.cat([h, h3], 1), temb)
        h = self.up2(torch.cat([self.unpool2(h), h2], 1), temb)
        h = self.up1(torch.cat([self.unpool1(h), h1], 1), temb)
        return self.conv_out(F.silu(self.norm_out(h)))
