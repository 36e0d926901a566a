"""Every model family since the first four (see models/train/family.py)."""
from ..family import Family
from . import ar, clip, glide, latent, vq

FAMILIES: dict[str, Family] = {f.key: f for f in [vq.FAMILY, *ar.FAMILIES, *clip.FAMILIES, *latent.FAMILIES, *glide.FAMILIES]}
