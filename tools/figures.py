"""How every benchmark prints its figures (the format in DESIGN.md): `name: value unit` a
line, or with --json one JSON object of numbers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping


def report(figures: Mapping[str, float], unit: Callable[[str], str] | str, as_json: bool) -> None:
    """Print the figures; `unit` is one unit for all, or a function of the figure's name."""
    if as_json:
        print(json.dumps({name: float(value) for name, value in figures.items()}))
        return
    for name, value in figures.items():
        print(f"{name}: {value:g} {unit if isinstance(unit, str) else unit(name)}")
