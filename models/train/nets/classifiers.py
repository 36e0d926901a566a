"""The evaluator (clean-image attribute classifier) and the noise-conditional classifier used for
classifier guidance, whose input gradient is computed by hand so it can be exported to ONNX."""
import torch
from torch import nn
from torch.nn import functional as F

from .layers import TimeMLP, group_norm


class Evaluator(nn.Module):
    """Attribute classifier on clean images in [−1, 1]: a small CNN down to a 4×4 map that is
    flattened (not averaged, so the head keeps *where* things are — position and left/right,
    above/below need it), a hidden layer whose activations are the `features` used for the
    diversity metric, and one linear head per attribute. Output: logits of every head
    concatenated along dim 1 (order and sizes in the model card), and the features."""

    def __init__(self, heads: dict[str, int], width: int = 48, feature_dim: int = 256):
        super().__init__()
        self.head_names = list(heads)
        self.head_sizes = [heads[n] for n in self.head_names]
        w = width

        def block(cin: int, cout: int, stride: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), group_norm(cout), nn.SiLU())

        self.body = nn.Sequential(
            block(3, w, 1), block(w, w, 1),                  # 32×32
            block(w, 2 * w, 2), block(2 * w, 2 * w, 1),      # 16×16
            block(2 * w, 4 * w, 2), block(4 * w, 4 * w, 1),  # 8×8
            block(4 * w, 2 * w, 2),                          # 4×4
        )
        self.feature_dim = feature_dim
        self.flat_dim = 2 * w * 16
        self.features = nn.Sequential(nn.Linear(self.flat_dim, feature_dim), nn.SiLU())
        self.head = nn.Linear(feature_dim, sum(self.head_sizes))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # reshape to a constant [-1, C·4·4] (one Reshape; ONNX Flatten is not a WebGPU kernel)
        features = self.features(self.body(x).reshape(-1, self.flat_dim))
        return self.head(features), features

    def split(self, logits: torch.Tensor) -> dict[str, torch.Tensor]:
        return dict(zip(self.head_names, torch.split(logits, self.head_sizes, dim=1)))


class NoisyClassifier(nn.Module):
    """p_φ(y | x_t, t) (Dhariwal & Nichol 2021, §4). Deliberately simple so that its input
    gradient has a closed form built from forward-exportable ops: a chain of
    conv → FiLM(t) → SiLU layers, a global mean, and a linear head. No normalisation layers
    (their backward pass would need many more ops); x_t has unit variance at every t by
    construction of the forward process, so the inputs are already well scaled."""

    # (out channels, stride) per conv layer, on a 32×32 input: 32, 16, 16, 8, 8.
    LAYERS = ((32, 1), (64, 2), (64, 1), (128, 2), (128, 1))

    def __init__(self, num_classes: int, tdim: int = 128):
        super().__init__()
        self.num_classes = num_classes
        self.time = TimeMLP(32, tdim)
        convs, films = [], []
        cin = 3
        for cout, stride in self.LAYERS:
            convs.append(nn.Conv2d(cin, cout, 3, stride=stride, padding=1))
            films.append(nn.Linear(tdim, 2 * cout))
            cin = cout
        self.convs = nn.ModuleList(convs)
        self.films = nn.ModuleList(films)
        for film in self.films:
            nn.init.zeros_(film.weight)
            nn.init.zeros_(film.bias)
        self.head = nn.Linear(cin, num_classes)
        self.final_size = 32
        for _, stride in self.LAYERS:
            self.final_size //= stride

    def _trunk(self, x: torch.Tensor, t: torch.Tensor):
        """Returns pooled features and, per layer, (pre-activation z, FiLM scale 1+γ)."""
        temb = self.time(t)
        cache = []
        h = x
        for conv, film in zip(self.convs, self.films):
            gamma, beta = film(temb).chunk(2, dim=1)
            scale = 1 + gamma[:, :, None, None]
            z = conv(h) * scale + beta[:, :, None, None]
            cache.append((z, scale))
            h = F.silu(z)
        return h.mean(dim=(2, 3)), cache, h.shape

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        pooled, _, _ = self._trunk(x, t)
        return self.head(pooled)

    def logits_and_grad(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """logits and ∇ₓ log p_φ(y | x_t, t), the backward pass written out by hand:
          ∂ log softmax(l)_y / ∂l = onehot(y) − softmax(l)
          head (linear):   g_pool = g_l · W
          mean over H×W:   g_h = broadcast(g_pool) / (H·W)
          SiLU:            g_z = g_h · σ(z)(1 + z(1 − σ(z)))
          FiLM:            g_conv = g_z · (1 + γ)
          conv (stride s): g_in = conv_transpose(g_conv, same weight, stride s, padding 1,
                                                 output_padding s − 1 for even input sizes)."""
        pooled, cache, shape = self._trunk(x, t)
        logits = self.head(pooled)
        classes = torch.arange(self.num_classes, dtype=torch.int32)
        onehot = (classes[None, :] == y.to(torch.int32)[:, None]).to(logits.dtype)
        g = onehot - torch.softmax(logits, dim=1)
        g = torch.matmul(g, self.head.weight)
        hgt = wid = self.final_size  # a Python constant, not a traced shape
        # Broadcast by a constant (not Expand) so the graph keeps a plain, dynamic batch axis.
        g = g[:, :, None, None] * torch.full((1, 1, hgt, wid), 1.0 / (hgt * wid))
        for conv, (z, scale) in zip(reversed(self.convs), reversed(cache)):
            s = torch.sigmoid(z)
            g = g * (s * (1 + z * (1 - s))) * scale
            stride = conv.stride[0]
            g = F.conv_transpose2d(g, conv.weight, stride=stride, padding=1, output_padding=stride - 1)
        return logits, g


class NoisyClassifierGrad(nn.Module):
    """Export wrapper: (x, t, y) → (logits, grad)."""

    def __init__(self, classifier: NoisyClassifier):
        super().__init__()
        self.classifier = classifier

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor):
        return self.classifier.logits_and_grad(x, t, y)
