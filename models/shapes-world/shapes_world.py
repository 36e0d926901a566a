"""Reader for shapes-world datasets written by `npm run models:data` (format: README.md here).

Depends on numpy only. The training code can import it:

    import sys; sys.path.insert(0, "models/shapes-world")
    from shapes_world import load_vocabulary, load_dataset, encode_caption

Self-check of a written dataset (re-encodes every caption from vocabulary.json and compares):

    python3 models/shapes-world/shapes_world.py .cache/shapes-world/train
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VOCABULARY_PATH = Path(__file__).resolve().parent / "vocabulary.json"
LABEL_FIELDS = (
    "objectCount", "colour0", "shape0", "size0", "position0", "colour1", "shape1", "size1",
    "relation", "sizeMentioned", "positionMentioned", "heldOut",
)


def vocabulary_sha256(path: Path = VOCABULARY_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def encode_caption(caption: str, vocabulary: dict) -> np.ndarray:
    """[BOS, word ids..., EOS] right-padded with PAD (0) to tokens.maxLength; unknown words -> UNK."""
    tokens = vocabulary["tokens"]
    special = tokens["special"]
    index = {word: i for i, word in enumerate(tokens["list"]) if not word.startswith("<")}
    words = caption.lower().split()
    if len(words) + 2 > tokens["maxLength"]:
        raise ValueError(f"caption has {len(words)} words; at most {tokens['maxLength'] - 2} fit")
    ids = np.full(tokens["maxLength"], special["pad"], dtype=np.int32)
    ids[0] = special["bos"]
    for i, word in enumerate(words):
        ids[i + 1] = index.get(word, special["unk"])
    ids[len(words) + 1] = special["eos"]
    return ids


@dataclass
class Dataset:
    meta: dict
    images: np.ndarray  # uint8, N x 3 x H x W
    tokens: np.ndarray  # int32, N x L
    labels: np.ndarray  # int32, N x 12
    geometry: np.ndarray  # float32, N x 2 x 3
    captions: list[str]

    def model_input(self, index) -> np.ndarray:
        """Images as float32 in [-1, 1] (x = v / 127.5 - 1)."""
        return self.images[index].astype(np.float32) / 127.5 - 1.0

    def label(self, field: str) -> np.ndarray:
        return self.labels[:, LABEL_FIELDS.index(field)]


def load_dataset(directory: str | Path, vocabulary_path: Path = VOCABULARY_PATH, mmap: bool = True) -> Dataset:
    """Loads a dataset folder; refuses one written with a different vocabulary file."""
    d = Path(directory)
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != "shapes-world-dataset" or meta.get("formatVersion") != 1:
        raise ValueError(f"{d}: not a shapes-world dataset of format version 1")
    expected = vocabulary_sha256(vocabulary_path)
    if meta["vocabularySha256"] != expected:
        raise ValueError(f"{d}: written with vocabulary {meta['vocabularySha256'][:12]}..., this checkout has {expected[:12]}...; rerun npm run models:data")
    if tuple(meta["labelFields"]) != LABEL_FIELDS:
        raise ValueError(f"{d}: unexpected label fields {meta['labelFields']}")

    def array(name: str, dtype: str) -> np.ndarray:
        shape = tuple(meta["files"][name]["shape"])
        if mmap:
            return np.memmap(d / name, dtype=dtype, mode="r", shape=shape)
        return np.fromfile(d / name, dtype=dtype).reshape(shape)

    captions = (d / "captions.txt").read_text(encoding="utf-8").split("\n")[: meta["count"]]
    return Dataset(
        meta=meta,
        images=array("images.u8", "u1"),
        tokens=array("tokens.i32", "<i4"),
        labels=array("labels.i32", "<i4"),
        geometry=array("geometry.f32", "<f4"),
        captions=captions,
    )


def check(directory: str | Path) -> None:
    """Checks a written dataset against vocabulary.json independently of the TypeScript code."""
    vocabulary = load_vocabulary()
    data = load_dataset(directory)
    n = data.meta["count"]
    assert len(data.captions) == n, "one caption per scene"
    for i, caption in enumerate(data.captions):
        if not np.array_equal(encode_caption(caption, vocabulary), data.tokens[i]):
            raise AssertionError(f"scene {i}: tokens differ from the encoding of {caption!r}")
    colours = [c["name"] for c in vocabulary["colours"]]
    shapes = [s["name"] for s in vocabulary["shapes"]]
    for i in range(n):
        words = data.captions[i].split()
        assert colours[data.labels[i, 1]] in words and shapes[data.labels[i, 2]] in words, f"scene {i}: labels disagree with caption"
    assert data.images.min() >= 0 and data.images.max() <= 255
    x = data.model_input(slice(0, min(n, 64)))
    assert x.min() >= -1.0 and x.max() <= 1.0
    if data.meta["split"] == "train":
        assert int(data.label("heldOut").sum()) == 0, "training split holds a held-out scene"
    print(f"{directory}: {n} scenes OK ({data.meta['split']}, vocabulary v{vocabulary['version']})")


if __name__ == "__main__":
    for arg in sys.argv[1:] or [".cache/shapes-world/train"]:
        check(arg)
