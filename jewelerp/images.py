"""Reading uploaded images safely: the size in pixels is checked from the header before anything is decoded.

A small file can announce a huge image (a PNG of 20000 × 20000 pixels compresses to a few kilobytes and
decodes to gigabytes). Every uploaded image is opened through this module: Pillow reads only the header, the
pixel count is compared with :data:`MAX_PIXELS`, and only then is the image decoded, JPEGs already scaled down
while decoding. Pillow's own decompression-bomb check (:class:`PIL.Image.DecompressionBombError`) is caught
too. Both are reported as :data:`TOO_LARGE`. The work is CPU-bound: call it from a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError

from jewelerp.errors import ValidationError

MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone camera or scanner page needs
TOO_LARGE = "This image is too large."
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")  # JPEG opens MPO too, the variant some phone cameras write
_BROKEN = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning)


class ImageTooLarge(ValidationError):
    """An image whose header announces more than :data:`MAX_PIXELS` pixels: refused before it is decoded."""


@contextmanager
def _opened(content: bytes, formats: Sequence[str], field: str) -> Iterator[Image.Image | None]:
    """The image in ``content`` opened lazily (header only), or None when it is not one of ``formats``."""
    Image.init()
    try:
        picture = Image.open(io.BytesIO(content), formats=[f for f in formats if f in Image.OPEN])
    except Image.DecompressionBombError:
        raise ImageTooLarge({field: TOO_LARGE}) from None
    except _BROKEN:
        picture = None
    if picture is None:
        yield None
        return
    with picture:
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise ImageTooLarge({field: TOO_LARGE})
        yield picture


def image_format(content: bytes, formats: Sequence[str], field: str) -> str | None:
    """The format (``"PNG"`` ...) of ``content`` when it is an intact image of ``formats``, else None.

    Nothing is decoded; raises :class:`ImageTooLarge` (under ``field``) past the pixel cap.
    """
    with _opened(content, formats, field) as picture:
        if picture is None:
            return None
        kind = picture.format
        try:
            picture.verify()
        except _BROKEN:
            return None
        return kind


def to_jpeg(content: bytes, field: str, max_side: int, quality: int = 85) -> bytes | None:
    """``content`` (a JPEG, PNG or WebP photo) as a JPEG of at most ``max_side`` pixels a side.

    None when it is not such a photo; :class:`ImageTooLarge` (under ``field``) past the pixel cap.
    """
    with _opened(content, PHOTO_FORMATS, field) as picture:
        if picture is None:
            return None
        try:
            picture.draft("RGB", (max_side, max_side))  # a JPEG decodes straight at a smaller scale
            rgb = picture.convert("RGB")
        except Image.DecompressionBombError:
            raise ImageTooLarge({field: TOO_LARGE}) from None
        except _BROKEN:
            return None
    rgb.thumbnail((max_side, max_side))
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=quality)
    return out.getvalue()


def photo_as_jpeg(content: bytes, *, field: str, label: str, max_bytes: int, max_side: int) -> tuple[str, bytes]:
    """An uploaded photo checked and made a JPEG of at most ``max_side`` a side: ``(".jpg", content)``.

    Raises ValidationError under ``field`` (naming the file as ``label``) when it is larger than
    ``max_bytes``, is not a JPEG, PNG or WebP photo, or is too large in pixels. CPU-bound: call it
    from a worker thread.
    """
    if len(content) > max_bytes:
        raise ValidationError({field: f"{label} is larger than {max_bytes // (1024 * 1024)} MB."})
    jpeg = to_jpeg(content, field, max_side)
    if jpeg is None:
        raise ValidationError({field: f"{label} is not a photo (use JPEG, PNG or WebP)."})
    return ".jpg", jpeg


def shrink_jpeg(content: bytes, max_side: int, quality: int = 80) -> bytes:
    """A smaller copy (at most ``max_side`` a side) of a JPEG this app made itself, e.g. a thumbnail."""
    with Image.open(io.BytesIO(content), formats=["JPEG"]) as picture:
        picture.draft("RGB", (max_side, max_side))
        small = picture.convert("RGB")
    small.thumbnail((max_side, max_side))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=quality)
    return out.getvalue()
