"""The stations' QR codes (民情二维码): each one opens the station's public petition page.

The code holds an absolute address built from settings.SITE_URL, so a printed
poster keeps working whichever host served the page it was printed from.
"""

import io

import segno
from django.conf import settings
from django.urls import reverse

# 8 px per module: a version-3/4 code is about 300 px wide, sharp on screens;
# the SVG is vector, so posters scale it freely.
QR_SCALE = 8
# The quiet zone the QR standard asks for (4 modules).
QR_BORDER = 4


def petition_url(public_code: str) -> str:
    """The absolute address a station's QR code encodes."""
    return settings.SITE_URL + reverse("public:station_petition", kwargs={"public_code": public_code})


def qr_svg(public_code: str, *, scale: int = QR_SCALE) -> str:
    """The QR code of `petition_url(public_code)` as a standalone SVG document.

    Error correction is level M (15 %): enough for a poster with a scuffed
    corner, while keeping the modules large for cheap phone cameras.
    """
    url = petition_url(public_code)
    qr = segno.make_qr(url, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=scale,
        border=QR_BORDER,
        dark="#000",
        light="#fff",
        title=url,
        xmldecl=True,
        omitsize=True,
    )
    width, height = qr.symbol_size(scale=scale, border=QR_BORDER)
    # Both an intrinsic size and a viewBox, so <img> can be resized by CSS
    # (segno writes one or the other).
    return out.getvalue().decode("utf-8").replace(" viewBox=", f' width="{width}" height="{height}" viewBox=', 1)
