"""The shapes VQ tokenizer: a 32×32 image ↔ an 8×8 grid of codes from a learned codebook
(VQ-VAE, van den Oord et al. 2017), the pocket stand-in for DALL·E's discrete VAE.

Encoder: conv 32×32 → 16×16 → 8×8 → 1×1 projection to the code dimension, giving z_e [B, D, 8, 8].
Quantisation: each of the 64 vectors is replaced by its nearest codebook entry,
k* = argmin_k ‖z_e − e_k‖² (eq. 1–2 of the paper); the gradient skips the argmin
(straight-through: z_q = z_e + sg[e_k* − z_e]).
Loss (eq. 3): ‖x − D(z_q)‖² + ‖sg[z_e] − e‖² + β ‖z_e − sg[e]‖², β = 0.25.
Decoder: codes → embedding lookup → conv 8×8 → nearest ×2 → 16×16 → nearest ×2 → 32×32 → RGB.

Exports: the encoder (image → z_e and the squared distance of every cell to every code, so the
site computes the argmin — the formula the chapter prints — in TypeScript) and the decoder
(int32 codes → image)."""
import torch
from torch import nn
from torch.nn import functional as F

from .layers import group_norm

GRID = 8          # 8×8 code grid (downsampling factor 4)
CODEBOOK = 128    # entries (the issue asks for 64–256)
CODE_DIM = 32
BETA = 0.25       # commitment weight (van den Oord et al. 2017, §3.2: β = 0.25)


class Res(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(group_norm(ch), nn.SiLU(), nn.Conv2d(ch, ch, 3, padding=1),
                                  group_norm(ch), nn.SiLU(), nn.Conv2d(ch, ch, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class VQEncoder(nn.Module):
    def __init__(self, ch: int = 32, code_dim: int = CODE_DIM):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, ch, 3, padding=1), Res(ch),                         # 32×32
            nn.Conv2d(ch, 2 * ch, 4, stride=2, padding=1), Res(2 * ch),      # 16×16
            nn.Conv2d(2 * ch, 2 * ch, 4, stride=2, padding=1), Res(2 * ch),  # 8×8
            group_norm(2 * ch), nn.SiLU(), nn.Conv2d(2 * ch, code_dim, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class VQDecoder(nn.Module):
    def __init__(self, ch: int = 32, code_dim: int = CODE_DIM):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(code_dim, 2 * ch, 3, padding=1), Res(2 * ch),           # 8×8
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2 * ch, ch, 3, padding=1), Res(ch),  # 16×16
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(ch, ch, 3, padding=1), Res(ch),      # 32×32
            group_norm(ch), nn.SiLU(), nn.Conv2d(ch, 3, 3, padding=1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class VQTokenizer(nn.Module):
    def __init__(self, codebook: int = CODEBOOK, code_dim: int = CODE_DIM):
        super().__init__()
        self.encoder = VQEncoder(code_dim=code_dim)
        self.decoder = VQDecoder(code_dim=code_dim)
        self.codebook = nn.Embedding(codebook, code_dim)
        nn.init.uniform_(self.codebook.weight, -1 / codebook, 1 / codebook)
        # How often each code was chosen since the last restart check (checkpointed with the weights,
        # so a resumed run restarts the same codes).
        self.register_buffer('usage', torch.zeros(codebook))
        self.register_buffer('calls', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def restart_dead_codes(self, z_e: torch.Tensor, gen: torch.Generator) -> int:
        """Codes unused since the last call are moved onto random encoder outputs of this batch —
        the usual remedy for codebook collapse (a dead code never receives a gradient). Returns how
        many were restarted."""
        dead = (self.usage == 0).nonzero().flatten()
        if len(dead):
            z = z_e.flatten(2).transpose(1, 2).reshape(-1, z_e.shape[1])
            pick = torch.randint(0, z.shape[0], (len(dead),), generator=gen)
            self.codebook.weight[dead] = z[pick]
        self.usage.zero_()
        return len(dead)

    def distances(self, z_e: torch.Tensor) -> torch.Tensor:
        """z_e [B, D, 8, 8] → ‖z − e_k‖² [B, 64, K] (cells in raster order)."""
        z = z_e.flatten(2).transpose(1, 2)                     # [B, 64, D]
        e = self.codebook.weight                               # [K, D]
        return (z * z).sum(-1, keepdim=True) - 2 * torch.matmul(z, e.t()) + (e * e).sum(-1)[None, None, :]

    def quantise(self, z_e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(codes [B, 8, 8] int64, z_q [B, D, 8, 8])."""
        codes = self.distances(z_e).argmin(-1)
        b, _, h, w = z_e.shape
        z_q = self.codebook(codes).transpose(1, 2).reshape(b, -1, h, w)
        return codes.reshape(b, h, w), z_q

    def decode_codes(self, codes: torch.Tensor) -> torch.Tensor:
        b, h, w = codes.shape
        z_q = self.codebook(codes.long().reshape(b, h * w)).transpose(1, 2).reshape(b, -1, h, w)
        return self.decoder(z_q)

    def loss(self, x: torch.Tensor) -> tuple[torch.Tensor, dict]:
        z_e = self.encoder(x)
        codes, z_q = self.quantise(z_e)
        if self.training:
            self.usage += torch.bincount(codes.flatten(), minlength=self.usage.shape[0]).float()
        recon = self.decoder(z_e + (z_q - z_e).detach())     # straight-through estimator
        rec = F.mse_loss(recon, x)
        codebook = F.mse_loss(z_q, z_e.detach())
        commit = F.mse_loss(z_e, z_q.detach())
        return rec + codebook + BETA * commit, {'codes': codes, 'z_e': z_e, 'rec': rec.detach()}


class VQEncoderExport(nn.Module):
    """x [B, 3, 32, 32] → (z [B, D, 8, 8], distances [B, 64, K])."""

    def __init__(self, vq: VQTokenizer):
        super().__init__()
        self.encoder, self.codebook = vq.encoder, vq.codebook
        self.distances = vq.distances  # bound method: reads the same codebook

    def forward(self, x: torch.Tensor):
        z = self.encoder(x)
        return z, self.distances(z)


class VQDecoderExport(nn.Module):
    """codes int32 [B, 8, 8] → image [B, 3, 32, 32] in [−1, 1] (not clamped)."""

    def __init__(self, vq: VQTokenizer):
        super().__init__()
        self.decoder, self.codebook = vq.decoder, vq.codebook
        self.decode_codes = vq.decode_codes

    def forward(self, codes: torch.Tensor):
        return self.decode_codes(codes)
