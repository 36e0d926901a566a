"""Constants and label helpers shared by the registry and the model families (a module of its own so
the families need not import the registry, which imports them)."""
import torch

from . import data
from .vocab import load_vocabulary

CAPTION_DROPOUT = 0.15  # Ho & Salimans 2022 train with p_uncond ∈ {0.1, 0.2}
CLASS_DROPOUT = 0.15
SMOKE_SCENES = 512
SMOKE_STEPS = 4
SMOKE_BATCH = 8


def evaluator_heads() -> dict[str, int]:
    """Evaluator heads → number of classes (sizes from vocabulary.json).

    One-object scenes: colour, shape, size, position of the object.
    Two-object scenes: the objects in *canonical* order — A is the left one (horizontal relation)
    or the upper one (vertical relation), B the other — and the axis (0 horizontal, 1 vertical).
    The caption's order ("X above Y" vs "Y below X") cannot be read off the image, the canonical
    one can; a caption maps to it through the relation's axis and sign (see canonical_two_objects).
    objectCount: class i means i + 1 objects."""
    v = load_vocabulary()
    colours, shapes, sizes = len(v.names('colours')), len(v.names('shapes')), len(v.names('sizes'))
    return {'objectCount': 2, 'colour': colours, 'shape': shapes, 'size': sizes, 'position': len(v.names('positions')),
            'colourA': colours, 'shapeA': shapes, 'sizeA': sizes, 'colourB': colours, 'shapeB': shapes, 'sizeB': sizes,
            'axis': 2}


def canonical_two_objects(relation: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For 'object 0 <relation> object 1': (a_is_object0 [bool], axis [0 = x, 1 = y]) from the
    vocabulary's relation axis and sign (sign −1: object 0 has the smaller coordinate → it is A)."""
    rel = load_vocabulary().raw['relations']
    sign = torch.tensor([r['sign'] for r in rel])
    axis = torch.tensor([0 if r['axis'] == 'x' else 1 for r in rel])
    r = relation.clamp(min=0)
    return sign[r] < 0, axis[r]


def evaluator_targets(ds: data.ShapesDataset) -> torch.Tensor:
    """[N, heads] targets in evaluator_heads() order, −1 where a head does not apply."""
    count = ds.column('objectCount')
    one, two = count == 1, count == 2
    na = torch.full_like(count, -1)
    a_is_0, axis = canonical_two_objects(ds.column('relation'))

    def pick(first: str, second: str, want_a: bool) -> torch.Tensor:
        take_0 = a_is_0 if want_a else ~a_is_0
        return torch.where(two, torch.where(take_0, ds.column(first), ds.column(second)), na)

    columns = {
        'objectCount': count - 1,
        'colour': torch.where(one, ds.column('colour0'), na), 'shape': torch.where(one, ds.column('shape0'), na),
        'size': torch.where(one, ds.column('size0'), na), 'position': torch.where(one, ds.column('position0'), na),
        'colourA': pick('colour0', 'colour1', True), 'shapeA': pick('shape0', 'shape1', True),
        'sizeA': pick('size0', 'size1', True), 'colourB': pick('colour0', 'colour1', False),
        'shapeB': pick('shape0', 'shape1', False), 'sizeB': pick('size0', 'size1', False),
        'axis': torch.where(two, axis, na),
    }
    return torch.stack([columns[name] for name in evaluator_heads()], dim=1)
