"""Pocket-model factory: training, export and reference sampling for the small models that the
site runs in the browser (see models/cards/TEMPLATE.md and `python3 -m models.train --help`)."""
