"""Autoregressive pocket models: the caption language model and the pocket DALL·E.

Both maximise the log-likelihood of the chain-rule factorisation
    log p(u) = Σᵢ log p(uᵢ | u₁ … uᵢ₋₁)
with teacher forcing (every position is trained at once under a causal mask).

Caption LM: word-level, over the shapes-world vocabulary; input [BOS, w₁ …, EOS, PAD …], logits
for the next token at every position.

Pocket DALL·E (after Ramesh et al. 2021): one decoder-only transformer over the sequence
[caption tokens (16, PAD-filled), image tokens (64, the VQ tokenizer's 8×8 grid in raster order)].
Text and image tokens share one id space (image code k is id V + k) and one table of learned
positions; the image head predicts the next image code. Image token i is predicted from the caption and image tokens 0 … i − 1, so the
first image token is predicted from the last text position. As in the paper the text and image
cross-entropies are weighted 1/8 and 7/8.
"""
import torch
from torch import nn
from torch.nn import functional as F

from .transformer import NEG, CausalTransformer, stack_cache, unstack_cache

TEXT_WEIGHT, IMAGE_WEIGHT = 1 / 8, 7 / 8  # Ramesh et al. 2021, §2.2


class CaptionLM(CausalTransformer):
    def __init__(self, vocab_size: int, max_len: int, pad_id: int, dim: int = 64, layers: int = 2, heads: int = 4):
        super().__init__(dim, layers, heads, max_len)
        self.pad_id = pad_id
        self.token = nn.Embedding(vocab_size, dim)
        self.head = nn.Linear(dim, vocab_size)
        nn.init.normal_(self.token.weight, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens int [B, N] → logits [B, N, V] (position i predicts token i + 1)."""
        tokens = tokens.long()
        h, _ = self.run(self.token(tokens) + self.position[:, : tokens.shape[1]])
        return self.head(h)

    def loss(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = tokens.long()
        logits = self(tokens[:, :-1])
        target = tokens[:, 1:].clone()
        # Learn to stop (EOS) but not to continue past it: PAD targets are ignored.
        target[target == self.pad_id] = -100
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100)


class PocketDalle(CausalTransformer):
    """One token space: ids 0 … V−1 are caption words, V + k is image code k (the paper, too, puts
    text and image tokens in one stream). Positions 0 … 15 hold the caption, 16 … 79 the image."""

    def __init__(self, text_vocab: int, text_len: int, codebook: int, image_len: int = 64,
                 dim: int = 128, layers: int = 4, heads: int = 4):
        super().__init__(dim, layers, heads, text_len + image_len)
        self.text_vocab, self.text_len, self.image_len, self.codebook = text_vocab, text_len, image_len, codebook
        self.token = nn.Embedding(text_vocab + codebook, dim)
        self.text_head = nn.Linear(dim, text_vocab)    # training only: the 1/8-weighted text loss
        self.image_head = nn.Linear(dim, codebook)
        nn.init.normal_(self.token.weight, std=0.02)

    def sequence(self, text: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return torch.cat([text.long(), image.long() + self.text_vocab], dim=1)

    def embed(self, ids: torch.Tensor, start: int | torch.Tensor = 0) -> torch.Tensor:
        n = ids.shape[1]
        return self.token(ids.long()) + self.position[:, start: start + n]

    def loss(self, text: torch.Tensor, image: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """text [B, 16], image codes [B, 64] (raster order). Teacher forcing over the whole
        sequence but its last token."""
        h, _ = self.run(self.embed(self.sequence(text, image[:, :-1])))
        t = self.text_len
        text_logits = self.text_head(h[:, : t - 1])           # predicts text tokens 1 … 15
        image_logits = self.image_head(h[:, t - 1:])          # predicts image tokens 0 … 63
        text_target = text[:, 1:].long().clone()
        text_target[text_target == 0] = -100                  # PAD is not a target
        text_loss = F.cross_entropy(text_logits.reshape(-1, text_logits.shape[-1]), text_target.reshape(-1),
                                    ignore_index=-100)
        image_loss = F.cross_entropy(image_logits.reshape(-1, self.codebook), image.long().reshape(-1))
        return TEXT_WEIGHT * text_loss + IMAGE_WEIGHT * image_loss, {'image_loss': image_loss.detach(),
                                                                     'text_loss': text_loss.detach()}


class DalleFull(nn.Module):
    """Export, the no-cache pass: tokens int32 [B, n] (16 ≤ n ≤ 80: the caption, then the image
    tokens chosen so far as V + code) → logits [B, n, K] over image codes at every position (row
    15 + j is the distribution of image token j; rows before 15 mean nothing) and the key/value
    cache of all n positions, present [B, 2L, H, n, Dh]."""

    def __init__(self, model: PocketDalle):
        super().__init__()
        self.m = model

    def forward(self, tokens: torch.Tensor):
        h, cache = self.m.run(self.m.embed(tokens))
        return self.m.image_head(h), stack_cache(cache)


class DalleStep(nn.Module):
    """Export, one token with the cache: token int32 [B, 1] (V + code, at position P),
    past [B, 2L, H, P, Dh] → logits [B, K] for the next image token, present [B, 2L, H, P + 1, Dh]."""

    def __init__(self, model: PocketDalle):
        super().__init__()
        self.m = model

    def forward(self, token: torch.Tensor, past: torch.Tensor):
        h = self.m.embed(token, past.shape[3])
        h, cache = self.m.run_cached(h, unstack_cache(past, len(self.m.blocks)))
        return self.m.image_head(h[:, 0]), stack_cache(cache)


@torch.no_grad()
def sample_dalle(model: PocketDalle, text: torch.Tensor, temperature: float, top_k: int | None,
                 gen: torch.Generator) -> torch.Tensor:
    """Reference sampler (PyTorch, no cache): 64 image tokens in raster order. For the card and
    the smoke tests; the site samples in TypeScript (src/lib/autoregressive)."""
    b = text.shape[0]
    image = torch.zeros(b, 0, dtype=torch.long)
    for i in range(model.image_len):
        h, _ = model.run(model.embed(model.sequence(text, image)))
        logits = model.image_head(h[:, -1]) / max(temperature, 1e-6)
        if top_k:
            kth = logits.topk(top_k, dim=-1).values[:, -1:]
            logits = logits.masked_fill(logits < kth, NEG)
        nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)
        image = torch.cat([image, nxt], dim=1)
    return image
