"""Pictures of the figures: the insights heatmap as a PNG, drawn with matplotlib's Agg backend.

No display and no pyplot (its global state is not for threads): each chart is its own Figure.
Colours come from cividis, a map that people with the common colour-vision deficiencies read the
same way; every cell also carries its number, so nothing depends on colour alone.
"""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
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


def heatmap_png(insights: Insights, catalog: Catalog) -> bytes:
    """Principles down the side, weeks across, kudos in each cell; the principle of the week outlined
    in its week; principles with no kudos in the period labelled as blind spots."""
    names = {p.slug: p.name for p in catalog}
    rows = insights.principles
    weeks = len(insights.weeks)
    grid = [insights.grid[slug] for slug in rows]
    width = min(16.0, max(8.0, 3.5 + 0.42 * weeks))
    height = max(4.0, 1.6 + 0.42 * len(rows))
    labels_needed = [names.get(slug, slug) for slug in rows] + [insights.title]
    lacking = missing_glyphs(labels_needed)
    if lacking:
        log.warning("the chart has characters no installed font can draw (%s): %s", "".join(sorted(lacking))[:20], MISSING_FONT_HINT)
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.add_subplot()
    most = max((max(row) for row in grid if row), default=0)
    image = axes.imshow(grid, cmap="cividis", aspect="auto", vmin=0, vmax=max(most, 1), interpolation="nearest")

    blind = set(insights.blind_spots)
    totals = insights.totals
    labels = [f"{names.get(slug, slug)}  ({totals[slug]})" + ("  · blind spot" if slug in blind else "") for slug in rows]
    family = font_families()
    axes.set_yticks(range(len(rows)), labels=labels, fontsize=9, fontfamily=family)
    for tick, slug in zip(axes.get_yticklabels(), rows, strict=True):
        if slug in blind:
            tick.set_fontweight("bold")
    step = max(1, weeks // 13)
    axes.set_xticks(range(0, weeks, step), labels=[f"{m:%d %b}" for m in insights.weeks[::step]], fontsize=8, rotation=45, ha="right")
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

    axes.set_title(insights.title, fontsize=12, loc="left", fontfamily=family)
    figure.text(0.01, 0.005, "Outlined: the principle of the week, in its week.  Blind spot: no kudos in the period.", fontsize=8)
    # Margins from the longest label instead of tight_layout, which measured every artist twice and
    # took a third of the render time.
    left = min(0.5, (0.3 + 0.068 * max(len(label) for label in labels)) / width)
    top, bottom, right = 1 - 0.5 / height, 0.9 / height, 1 - 0.9 / width
    figure.subplots_adjust(left=left, right=right, top=top, bottom=bottom)
    scale = figure.add_axes((right + 0.15 / width, bottom, 0.15 / width, top - bottom))
    figure.colorbar(image, cax=scale, label="kudos")
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
