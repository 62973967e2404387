"""Figures, the table printed at the end, and the JSON written to results.json."""

from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured number. `target` says what it should reach (None: shown for context);
    `met` is None when there is no target."""

    name: str
    value: float
    unit: str
    target: str | None = None
    met: bool | None = None


def at_most(name: str, value: float, unit: str, limit: float) -> Figure:
    return Figure(name, value, unit, f"<= {limit:g}", value <= limit)


def at_least(name: str, value: float, unit: str, floor: float) -> Figure:
    return Figure(name, value, unit, f">= {floor:g}", value >= floor)


def info(name: str, value: float, unit: str) -> Figure:
    return Figure(name, value, unit)


Sections = dict[str, list[Figure]]


def _shown(value: float) -> str:
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if value == int(value) and abs(value) >= 10:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def table(sections: Sections) -> str:
    rows = [("section", "figure", "value", "unit", "target", "")]
    for section, figures in sections.items():
        for figure in figures:
            verdict = "" if figure.met is None else ("ok" if figure.met else "MISS")
            rows.append(
                (section, figure.name, _shown(figure.value), figure.unit, figure.target or "", verdict)
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def document(sections: Sections, quick: bool, seconds: float) -> dict[str, Any]:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "seconds": round(seconds, 1),
        "machine": {"python": platform.python_version(), "cpus": _cpus(), "system": platform.platform()},
        "sections": {name: [asdict(f) for f in figures] for name, figures in sections.items()},
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
