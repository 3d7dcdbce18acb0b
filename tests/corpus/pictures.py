"""Small deterministic greyscale pictures used as attachments (screenshots, photos of prints)."""

from __future__ import annotations

from tests.corpus.mime_bytes import png_image


def whatsapp_screenshot() -> bytes:
    """A 72x128 phone screenshot: a title bar and alternating chat bubbles."""

    def pixel(x: int, y: int) -> int:
        if y < 12:
            return 70  # title bar
        for top, left, right, shade in ((20, 4, 50, 255), (44, 22, 68, 205), (68, 4, 58, 255)):
            if top <= y < top + 18 and left <= x < right:
                line = (y - top) % 6 in (2, 3) and left + 4 <= x < right - 6
                return 120 if line else shade
        return 228  # chat wallpaper

    return png_image(72, 128, pixel)


def flyer_photo() -> bytes:
    """A 96x64 photo of a printed flyer on a desk, with a colour band printed off-register."""

    def pixel(x: int, y: int) -> int:
        if 16 <= x < 80 and 6 <= y < 58:
            if 12 <= y < 24:
                return 90 if x < 70 else 160  # heading band, shifted right of the trim
            return 240 - ((x + y) % 7)
        return 110 + (x * 3 + y * 5) % 23  # wood grain

    return png_image(96, 64, pixel)


def website_capture() -> bytes:
    """A 80x60 capture of a web page: header, image block, text lines."""

    def pixel(x: int, y: int) -> int:
        if y < 8:
            return 40
        if 12 <= y < 32 and 6 <= x < 40:
            return 150
        if y >= 36 and y % 5 == 0 and 6 <= x < 74:
            return 90
        return 250

    return png_image(80, 60, pixel)
