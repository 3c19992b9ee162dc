"""Charts drawn on the server as SVG (no script, nothing fetched): the geometry of bar charts, for
``templates/analytics/_bars.html`` and ``_columns.html``. Each chart is shown with a table of the same
figures beside it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 600, 220
LEFT, BOTTOM, TOP = 8, 28, 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    x: float
    y: float
    width: float
    height: float


def columns(points, *, width: int = WIDTH, height: int = HEIGHT) -> list[Bar]:
    """Vertical bars for ``[(label, value)]``, left to right, scaled to the largest value (a chart of
    zeros draws no bar)."""
    points = list(points)
    if not points:
        return []
    top = max((value for _label, value in points), default=0) or 1
    slot = (width - LEFT) / len(points)
    usable = height - BOTTOM - TOP
    bars = []
    for n, (label, value) in enumerate(points):
        bar_height = float(Decimal(max(value, 0)) / Decimal(top)) * usable
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + n * slot + slot * 0.15, 1),
                y=round(TOP + usable - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
            )
        )
    return bars


def bars(points, *, width: int = WIDTH, row: int = 30) -> list[Bar]:
    """Horizontal bars for ``[(label, value)]``, top to bottom, scaled to the largest value."""
    points = list(points)
    top = max((value for _label, value in points), default=0) or 1
    return [
        Bar(
            label=label,
            value=value,
            x=0,
            y=n * row,
            width=round(float(Decimal(max(value, 0)) / Decimal(top)) * width, 1),
            height=row * 0.7,
        )
        for n, (label, value) in enumerate(points)
    ]
