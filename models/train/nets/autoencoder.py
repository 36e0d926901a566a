"""The shapes autoencoder of the latent-diffusion chapter (after Rombach et al. 2022, §3 and App. G):
32×32×3 → 8×8×4 (downsampling factor f = 4), KL-regularised.

Encoder: convs to a posterior N(μ, diag σ²) per latent element (4 mean + 4 log-variance channels).
Decoder: 8×8×4 → 32×32×3. Loss: reconstruction ‖x − D(z)‖₁ with z = μ + σ ε, plus a small KL
penalty β·KL(q(z|x) ‖ N(0, I)) that keeps the latent space smooth without forcing unit variance —
the paper's "KL-reg." variant with a small weight; there is no perceptual or adversarial loss at
this size (said in the card). After training, latents are multiplied by a scaling factor chosen so
that they have unit variance over the training set (the paper's §4.3.2 and App. G; Stable
Diffusion's `scaling_factor` = 0.18215 plays the same role) — the latent UNet sees scaled latents.

Exports: the encoder (x → mean, logvar) and the decoder (unscaled z → image)."""
import torch
from torch import nn
from torch.nn import functional as F

from .layers import group_norm
from .vq import Res

LATENT_CHANNELS = 4
LATENT_SIZE = 8
KL_WEIGHT = 1e-4


class Encoder(nn.Module):
    def __init__(self, ch: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, ch, 3, padding=1), Res(ch),                          # 32×32
            nn.Conv2d(ch, 2 * ch, 4, stride=2, padding=1), Res(2 * ch),       # 16×16
            nn.Conv2d(2 * ch, 2 * ch, 4, stride=2, padding=1), Res(2 * ch),   # 8×8
            group_norm(2 * ch), nn.SiLU(), nn.Conv2d(2 * ch, 2 * LATENT_CHANNELS, 3, padding=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, logvar = self.net(x).chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)


class Decoder(nn.Module):
    def __init__(self, ch: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(LATENT_CHANNELS, 2 * ch, 3, padding=1), Res(2 * ch),    # 8×8
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2 * ch, ch, 3, padding=1), Res(ch),  # 16×16
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(ch, ch, 3, padding=1), Res(ch),      # 32×32
            group_norm(ch), nn.SiLU(), nn.Conv2d(ch, 3, 3, padding=1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class KLAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def loss(self, x: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, dict]:
        mean, logvar = self.encoder(x)
        z = mean + torch.exp(0.5 * logvar) * torch.randn(mean.shape, generator=gen)
        recon = self.decoder(z)
        rec = F.l1_loss(recon, x)
        # KL(N(μ, σ²) ‖ N(0, 1)) per element = ½(μ² + σ² − 1 − log σ²), averaged over elements
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        return rec + KL_WEIGHT * kl, {'rec': rec.detach(), 'kl': kl.detach()}


class EncoderExport(nn.Module):
    """x [B, 3, 32, 32] → mean [B, 4, 8, 8], logvar [B, 4, 8, 8] (unscaled latent space)."""

    def __init__(self, ae: KLAutoencoder):
        super().__init__()
        self.encoder = ae.encoder

    def forward(self, x: torch.Tensor):
        return self.encoder(x)


class DecoderExport(nn.Module):
    """z [B, 4, 8, 8] (unscaled: divide the UNet's latents by the scaling factor first) → image."""

    def __init__(self, ae: KLAutoencoder):
        super().__init__()
        self.decoder = ae.decoder

    def forward(self, z: torch.Tensor):
        return self.decoder(z)
