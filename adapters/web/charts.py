"""Charts drawn on the server as SVG (pygal), and as PNG for the weekly digest (CairoSVG).

Why pygal: pure Python, draws a chart in about 10 ms, and its SVG is scaled by the browser, so
a page needs no script at all. Its own tooltip script is not used: the inline script it writes
into every chart is removed, so the pages can forbid scripts entirely (Content-Security-Policy).
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict

import pygal
from pygal.style import Style

from bot.app.dashboard_model import Chart

# pygal appends a legacy import hook for its map plugins (unused here) to sys.meta_path; on
# Python 3.12 every later import that reaches it warns (find_module is gone), so take it out.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#cbd2d9",
    colors=("#2f6fde", "#e8871e", "#2a9d8f", "#c2410c", "#7c3aed"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
)
_SCRIPT = re.compile(r"<script.*?</script>|<!--.*?-->", re.DOTALL)
DRAWN_KEPT = 256
_DRAWN: OrderedDict[str, str] = OrderedDict()
_KINDS = {"line": pygal.Line, "bar": pygal.Bar, "hbar": pygal.HorizontalBar}


def _chart(chart: Chart, width: int, height: int) -> pygal.graph.graph.Graph:
    drawn = _KINDS[chart.kind](
        js=[],
        style=STYLE,
        width=width,
        height=height,
        disable_xml_declaration=True,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        x_label_rotation=45 if chart.kind != "hbar" and len(chart.labels) > 8 else 0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(chart.labels) // 10),
        truncate_label=30,
        range=(0, 100) if chart.percent else None,
        value_formatter=(lambda v: f"{v:.0f}%") if chart.percent else (lambda v: f"{v:g}"),
        margin=8,
    )
    labels = list(reversed(chart.labels)) if chart.kind == "hbar" else chart.labels
    drawn.x_labels = labels
    for name, values in chart.series.items():
        drawn.add(name, list(reversed(values)) if chart.kind == "hbar" else values)
    return drawn


def svg(chart: Chart) -> str:
    """The chart's SVG; the same numbers give the same drawing, so recent ones are kept (a
    dashboard's charts change only as answers come in, while people reload its pages)."""
    key = repr(chart)
    drawn = _DRAWN.get(key)
    if drawn is None:
        height = max(260, 28 * len(chart.labels) + 80) if chart.kind == "hbar" else 320
        drawn = _SCRIPT.sub("", _chart(chart, 800, height).render(is_unicode=True))
        _DRAWN[key] = drawn
        if len(_DRAWN) > DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    else:
        _DRAWN.move_to_end(key)
    return drawn


def png(chart: Chart, width: int, height: int) -> bytes:
    """The chart as a PNG of exactly `width` x `height` pixels (the digest's picture)."""
    drawn = _chart(chart, width, height)
    drawn.config.style = Style(**{**STYLE.to_dict(), "background": "white", "plot_background": "white"})
    return bytes(drawn.render_to_png())
