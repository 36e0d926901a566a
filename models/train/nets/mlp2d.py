"""Class-conditional MLP denoiser for a 2-D mixture: ε̂(x_t, t, c), with a learned null-class
embedding (index num_classes) for classifier-free guidance."""
import torch
from torch import nn

from .layers import timestep_embedding


class MLPDenoiser(nn.Module):
    def __init__(self, num_classes: int, hidden: int = 128, depth: int = 3, tdim: int = 64):
        super().__init__()
        self.num_classes = num_classes
        self.tdim = tdim
        self.class_embedding = nn.Embedding(num_classes + 1, tdim)  # last row = null class
        self.time = nn.Sequential(nn.Linear(tdim, tdim), nn.SiLU())
        layers: list[nn.Module] = [nn.Linear(2 + tdim, hidden), nn.SiLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(hidden, hidden), nn.SiLU()]
        layers.append(nn.Linear(hidden, 2))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, t: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        cond = self.time(timestep_embedding(t, self.tdim)) + self.class_embedding(label.long())
        return self.net(torch.cat([x, cond], dim=1))
