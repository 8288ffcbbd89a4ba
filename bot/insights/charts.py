"""Pictures of the figures: the insights heatmap as a PNG, drawn with matplotlib's Agg backend.

No display and no pyplot (its global state is not for threads): each chart is its own Figure.
Colours come from cividis, a map that people with the common colour-vision deficiencies read the
same way; every cell also carries its number, so nothing depends on colour alone.
"""

from __future__ import annotations

import io
import logging
import textwrap
import warnings

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.insights.figures import Insights
from principles import Catalog

log = logging.getLogger(__name__)

# Past this many weeks the numbers in the cells get too small to read on a phone; colours and the
# totals at the row ends carry it.
NUMBERS_UP_TO_WEEKS = 26
FEATURED_EDGE = "#d55e00"  # vermilion: stands out against every cividis shade, and for colour-blind eyes


# Fonts tried in order for every label, glyph by glyph (matplotlib's font fallback): DejaVu covers
# Latin, Greek, Cyrillic, Arabic and Hebrew letters; WenQuanYi Micro Hei, Noto CJK and Droid Sans
# Fallback cover Chinese, Japanese and Korean; Lohit and Noto cover Devanagari. The Docker image
# installs fonts-wqy-microhei and fonts-lohit-deva; any of the others found on a plain install is used.
FONT_FALLBACK = (
    "DejaVu Sans",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Droid Sans Fallback",
    "Lohit Devanagari",
    "Noto Sans Devanagari",
)
MISSING_FONT_HINT = "on Debian or Ubuntu: apt-get install fonts-wqy-microhei fonts-lohit-deva"


def font_families() -> list[str]:
    """The fallback families this machine has, in order."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [family for family in FONT_FALLBACK if family in installed] or ["DejaVu Sans"]


def missing_glyphs(texts: list[str]) -> set[str]:
    """Characters of `texts` that no installed fallback font can draw (they would show as boxes)."""
    fonts = [font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=f))) for f in font_families()]
    return {c for text in texts for c in text if not c.isspace() and not any(font.get_char_index(ord(c)) for font in fonts)}


# Empty cells are light, so a quiet team's chart is not a dark block; counts run on cividis from one up.
ZERO_COLOUR = "#f0f0f0"
PARTIAL_HATCH = "////"


def heatmap_figure(insights: Insights, catalog: Catalog, *, partial_last_week: bool = False) -> tuple[Figure, set[str]]:
    """The chart as a matplotlib Figure (drawn by heatmap_png), and the characters no font could draw.

    Principles down the side, weeks across, kudos in each cell; the principle of the week outlined in
    its week; principles with no kudos in the period labelled as blind spots. `partial_last_week`: the
    last column is the week still under way (/lp insights), hatched and labelled "so far" so that it
    does not read as a drop.
    """
    names = {p.slug: p.name for p in catalog}
    rows = insights.principles
    weeks = len(insights.weeks)
    grid = [insights.grid[slug] for slug in rows]
    width = min(16.0, max(8.0, 3.5 + 0.42 * weeks))
    height = max(4.0, 1.6 + 0.42 * len(rows))
    lacking = missing_glyphs([names.get(slug, slug) for slug in rows] + [insights.title])
    if lacking:
        log.warning("the chart has characters no installed font can draw (%s): %s", "".join(sorted(lacking))[:20], MISSING_FONT_HINT)
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.add_subplot()
    most = max((max(row) for row in grid if row), default=0)
    # Whole counts: one colour band per number from 1 to the most, zero below the scale (light).
    levels = max(most, 1)
    colours = matplotlib.colormaps["cividis"].resampled(levels).with_extremes(under=ZERO_COLOUR)
    norm = BoundaryNorm([n + 0.5 for n in range(levels + 1)], levels)
    image = axes.imshow(grid, cmap=colours, norm=norm, aspect="auto", interpolation="nearest")

    blind = set(insights.blind_spots)
    totals = insights.totals
    labels = [f"{names.get(slug, slug)}  ({totals[slug]})" + ("  · blind spot" if slug in blind else "") for slug in rows]
    family = font_families()
    axes.set_yticks(range(len(rows)), labels=labels, fontsize=9, fontfamily=family)
    for tick, slug in zip(axes.get_yticklabels(), rows, strict=True):
        if slug in blind:
            tick.set_fontweight("bold")
    step = max(1, weeks // 13)
    ticks = list(range(0, weeks, step))
    week_labels = [f"{insights.weeks[i]:%d %b}" for i in ticks]
    if partial_last_week and weeks:
        if ticks[-1] != weeks - 1:
            ticks.append(weeks - 1)
            week_labels.append(f"{insights.weeks[-1]:%d %b}")
        week_labels[-1] += " (so far)"
        axes.add_patch(Rectangle((weeks - 1.5, -0.5), 1, len(rows), fill=False, hatch=PARTIAL_HATCH, edgecolor="#9a9a9a", linewidth=0))
    axes.set_xticks(ticks, labels=week_labels, fontsize=8, rotation=45, ha="right")
    axes.tick_params(length=0)

    if weeks <= NUMBERS_UP_TO_WEEKS:
        for y, row in enumerate(grid):
            for x, value in enumerate(row):
                if value:
                    # Dark text on the light (yellow) end of cividis, light text on the dark end.
                    colour = "#1a1a1a" if value > most * 0.6 else "#f5f5f5"
                    axes.text(x, y, str(value), ha="center", va="center", fontsize=8, color=colour)
    for week, slugs in insights.featured.items():
        for slug in slugs:
            y = rows.index(slug)
            axes.add_patch(Rectangle((week - 0.5, y - 0.5), 1, 1, fill=False, edgecolor=FEATURED_EDGE, linewidth=2.2))

    notes = []
    if insights.featured:
        notes.append("Outlined: the principle of the week, in its week.")
    if blind:
        notes.append("Blind spot: no kudos in the period.")
    if partial_last_week and weeks:
        notes.append("Hatched: this week, so far.")
    if notes:  # the footnote only explains what the chart shows
        figure.text(0.01, 0.005, "  ".join(notes), fontsize=8)

    # Margins measured from the labels themselves (one layout of the text, not tight_layout's two of
    # every artist): the longest principle's name is never cut at the left.
    renderer = FigureCanvasAgg(figure).get_renderer()
    widest = max((label.get_window_extent(renderer).width for label in axes.get_yticklabels()), default=0.0)
    dpi = figure.dpi
    left = min(0.6, (widest / dpi + 0.25) / width)
    top, bottom, right = 1 - 0.5 / height, 0.9 / height, 1 - 0.9 / width
    figure.subplots_adjust(left=left, right=right, top=top, bottom=bottom)
    title = axes.set_title(insights.title, fontsize=12, loc="left", fontfamily=family)
    # The title may not run past the figure's right edge (short periods make narrow charts): smaller, then wrapped.
    room = (1 - left - 0.02) * width * dpi
    while title.get_window_extent(renderer).width > room and float(title.get_fontsize()) > 9:
        title.set_fontsize(float(title.get_fontsize()) - 1)
    if title.get_window_extent(renderer).width > room:
        per_line = max(20, int(len(insights.title) * room / title.get_window_extent(renderer).width))
        title.set_text(textwrap.fill(insights.title, per_line))
    scale = figure.add_axes((right + 0.15 / width, bottom, 0.15 / width, top - bottom))
    bar = figure.colorbar(image, cax=scale, label="kudos")
    bar.set_ticks(range(1, levels + 1, max(1, levels // 8)))
    return figure, lacking


def heatmap_png(insights: Insights, catalog: Catalog, *, partial_last_week: bool = False) -> bytes:
    """The chart as PNG bytes."""
    figure, lacking = heatmap_figure(insights, catalog, partial_last_week=partial_last_week)
    out = io.BytesIO()
    with warnings.catch_warnings():
        if lacking:  # said once above, with what to install; not once per missing glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.savefig(out, format="png")
    return out.getvalue()


def alt_text(insights: Insights, catalog: Catalog) -> str:
    """The chart in words, for screen readers and for anyone who cannot see the picture."""
    names = {p.slug: p.name for p in catalog}
    totals = insights.totals
    ranked = sorted((slug for slug in insights.principles if totals[slug]), key=lambda slug: -totals[slug])
    parts = [f"Heatmap of kudos per principle per week, {insights.title}: {insights.kudos} kudos in all."]
    if ranked:
        parts.append("Most recognized: " + ", ".join(f"{names[s]} ({totals[s]})" for s in ranked[:3]) + ".")
    if insights.blind_spots:
        parts.append("No kudos at all: " + ", ".join(names[s] for s in insights.blind_spots) + ".")
    if insights.featured:
        parts.append(f"The principle of the week is outlined in {len(insights.featured)} of the {len(insights.weeks)} weeks.")
    return " ".join(parts)[:1000]
