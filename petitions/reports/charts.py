"""Charts drawn on the server as SVG: no script, sharp on screen and on paper.

Colours keep apart in greyscale (dark bars, light bars, a line with markers), so a
report printed on an office's black-and-white printer still reads.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 16, 44


def _nice_max(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least the value."""
    if value <= 5:
        return 5
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step * 5:
                return m * step * 5
        step *= 10


def trend_svg(months: list, *, title: str = "") -> SafeString:
    """Received and replied items per month as bars, the satisfaction rate as a line (right axis, %).

    `months` are `dashboard.Figures` with `label` "YYYY-MM".
    """
    n = max(len(months), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_max(max([m.received for m in months] + [1]))
    slot = plot_w / n
    bar = min(18.0, slot / 3)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title or _("Monthly trend"))}" font-size="11" '
        f'font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif">'
    ]
    for i in range(6):  # gridlines and the left axis (items)
        y = TOP + plot_h - plot_h * i / 5
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dee2e6" stroke-width="1"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">{top * i // 5}</text>')
        out.append(f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" fill="#495057">{20 * i}%</text>')
    points = []
    for i, m in enumerate(months):
        x0 = LEFT + slot * i + slot / 2
        for j, (value, fill) in enumerate(((m.received, "#1f3b64"), (m.replied, "#9ab3d5"))):
            h = plot_h * value / top
            x = x0 - bar + j * bar
            out.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{fill}">'
                f"<title>{escape(m.label)}: {value}</title></rect>"
            )
        label = m.label[2:] if n > 12 else m.label[5:] if n > 6 else m.label
        out.append(
            f'<text x="{x0:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#212529">{escape(label)}</text>'
        )
        if m.satisfaction_rate is not None:
            points.append((x0, TOP + plot_h - plot_h * m.satisfaction_rate))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#b35c00" stroke-width="2"/>')
        out.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="#b35c00" stroke-width="2"/>'
            for x, y in points
        )
    legend_y = HEIGHT - 10
    legend = [("#1f3b64", pgettext("dashboard", "Received")), ("#9ab3d5", _("Replied by the department"))]
    x = LEFT
    for fill, text in legend:
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{fill}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}" fill="#212529">{escape(text)}</text>')
        x += 14 + 12 * len(text) + 24
    out.append(
        f'<line x1="{x}" x2="{x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="#b35c00" stroke-width="2"/>'
    )
    out.append(f'<circle cx="{x + 9}" cy="{legend_y - 4}" r="3" fill="#fff" stroke="#b35c00" stroke-width="2"/>')
    out.append(f'<text x="{x + 24}" y="{legend_y}" fill="#212529">{escape(_("Satisfaction rate (right axis)"))}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))
