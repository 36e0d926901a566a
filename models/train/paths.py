"""Where things live. Generated data is under .cache/ (ignored by git); checkpoints live outside the
work tree (`$DSBS_CHECKPOINTS`, default `~/.cache/dsbs-checkpoints/`) so a fresh checkout, a clean
or another clone does not lose hours of training; the exported ONNX files, fixtures and cards are
committed. Smoke checkpoints stay in .cache/."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / '.cache'
# Override with SHAPES_WORLD_DATA=<folder> (e.g. a dataset written elsewhere).
DATA_DIR = Path(os.environ.get('SHAPES_WORLD_DATA', CACHE / 'shapes-world'))
VOCABULARY = REPO / 'models' / 'shapes-world' / 'vocabulary.json'
POCKET = REPO / 'models' / 'pocket'
CARDS = REPO / 'models' / 'cards'


CHECKPOINTS = Path(os.environ.get('DSBS_CHECKPOINTS', Path.home() / '.cache' / 'dsbs-checkpoints'))


def checkpoint_dir(model: str, smoke: bool) -> Path:
    return CACHE / 'checkpoints-smoke' / model if smoke else CHECKPOINTS / model


def export_dir(smoke: bool) -> Path:
    """Smoke exports go to the cache so CI never overwrites the committed models."""
    return CACHE / 'smoke' / 'pocket' if smoke else POCKET
