"""The shapes-world vocabulary (models/shapes-world/vocabulary.json), read as the TypeScript
generator reads it: token ids, label indices and the evaluation captions."""
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import torch

from .paths import VOCABULARY


@dataclass(frozen=True)
class Vocabulary:
    raw: dict
    sha256: str

    @property
    def words(self) -> list[str]:
        return self.raw['tokens']['list']

    @property
    def max_length(self) -> int:
        return self.raw['tokens']['maxLength']

    def special(self, name: str) -> int:
        return self.raw['tokens']['special'][name]

    @property
    def pad(self) -> int:
        return self.special('pad')

    def names(self, attribute: str) -> list[str]:
        return [entry['name'] for entry in self.raw[attribute]]

    def encode(self, caption: str) -> list[int]:
        """[bos, ids…, eos] right-padded with pad (models/shapes-world/README.md, 'Tokens')."""
        index = {w: i for i, w in enumerate(self.words)}
        ids = [index.get(w, self.special('unk')) for w in caption.lower().split(' ')]
        seq = [self.special('bos'), *ids, self.special('eos')]
        if len(seq) > self.max_length:
            raise ValueError(f'caption too long: {caption!r}')
        return seq + [self.pad] * (self.max_length - len(seq))

    def encode_batch(self, captions: list[str]) -> torch.Tensor:
        return torch.tensor([self.encode(c) for c in captions], dtype=torch.int32)

    def null_tokens(self, batch: int) -> torch.Tensor:
        """The null caption of classifier-free guidance: every position PAD (no BOS/EOS)."""
        return torch.full((batch, self.max_length), self.pad, dtype=torch.int32)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    data = VOCABULARY.read_bytes()
    return Vocabulary(json.loads(data), hashlib.sha256(data).hexdigest())
