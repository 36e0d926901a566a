"""Where things live. Generated data and checkpoints are under .cache/ (ignored by git); the
exported ONNX files, fixtures and cards are committed."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / '.cache'
# Override with SHAPES_WORLD_DATA=<folder> (e.g. a dataset written elsewhere).
DATA_DIR = Path(os.environ.get('SHAPES_WORLD_DATA', CACHE / 'shapes-world'))
VOCABULARY = REPO / 'models' / 'shapes-world' / 'vocabulary.json'
POCKET = REPO / 'models' / 'pocket'
CARDS = REPO / 'models' / 'cards'


def checkpoint_dir(model: str, smoke: bool) -> Path:
    return CACHE / ('checkpoints-smoke' if smoke else 'checkpoints') / model


def export_dir(smoke: bool) -> Path:
    """Smoke exports go to the cache so CI never overwrites the committed models."""
    return CACHE / 'smoke' / 'pocket' if smoke else POCKET
