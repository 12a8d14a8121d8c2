"""PNG, JPEG and TIFF images: one page per image (per frame of a multi-page TIFF), read by OCR.

Each frame is read by Tesseract (``poe_checker.ocr``) into words with boxes and confidence, and
the ink on it that is not printed text is measured into ink marks (``extractors.inkmarks``);
whether a mark is a signature is the reading's call (``reading.ink``). ``ocr_pages`` is shared
with the PDF extractor, which hands it pages that have no text layer.

Sizes are in PDF points: pixels * 72 / dpi, using the resolution the file declares. A file without
a usable resolution is taken as 72 dpi, i.e. one point per pixel, so coordinates from OCR map 1:1.

Every frame is decoded once (JPEG at 1/8 scale, which its decoder does cheaply) so damaged files are
reported now rather than by OCR later; the pixel bound is checked from the header before that.
"""

from __future__ import annotations

import io
import re
import time
import warnings
from dataclasses import replace
from typing import Callable, Iterable

from ..errors import CorruptDocument, ResourceLimit
from ..limits import Limits
from ..model import Page
from . import Extraction, pages_phrase

_MIN_OCR_SIDE = 24
"""Frames smaller than this (pixels) are icons or spacers: nothing to read."""
_FORMATS = ("PNG", "JPEG", "TIFF")
"""Pillow plugins tried; JPEG covers MPO. Nothing else gets parsed, whatever the bytes claim."""
_MIN_DPI, _MAX_DPI = 20.0, 4800.0
_DEFAULT_DPI = 72.0
_SWAPPED_ORIENTATIONS = {5, 6, 7, 8}
"""EXIF orientations shown rotated by 90°: the page is as wide as the stored image is high."""


def extract(data: bytes, limits: Limits) -> Extraction:
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about odd but readable files (malformed MPO ...)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_big(_pixels_in(str(exc)), limits) from exc
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types on damaged headers
            raise _failure(exc) from exc
        try:
            pages, complete = _read_frames(image, data, limits)
        except (ResourceLimit, CorruptDocument, MemoryError):
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_big(_pixels_in(str(exc)), limits) from exc
        except Exception as exc:  # noqa: BLE001
            raise _failure(exc) from exc
        finally:
            image.close()
    notes: list[str] = []
    if not complete:
        notes.append(f"only the first {len(pages)} pages of the image were read")
    read, ocr_notes = ocr_pages([p.number for p in pages], lambda n: _frame(data, n - 1), limits)
    pages = [read.get(p.number, p) for p in pages]
    return Extraction(pages=tuple(pages), page_count=len(pages), notes=tuple(notes + ocr_notes))


def _frame(data: bytes, index: int):
    """Frame ``index`` upright (EXIF orientation applied) as greyscale, with its resolution."""
    from PIL import Image, ImageOps

    from ..ocr import to_gray

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as image:
            if index:
                image.seek(index)
            dpi = _dpi(image)[0]
            upright = ImageOps.exif_transpose(image) if _orientation(image) != 1 else image
            return to_gray(upright), dpi


def ocr_pages(numbers: Iterable[int], load: Callable[[int], tuple],
              limits: Limits) -> tuple[dict[int, Page], list[str]]:
    """OCR the pages ``numbers`` within the document's OCR budget; first and last page first.

    ``load(number)`` gives the page as (uint8 greyscale array, dpi). Returns the pages read, each
    with the ink marks measured on it, and notes on what was not read. The signature page is usually the last and the parties and scope the
    first, so those two go before the middle when the budget cannot cover every page.
    """
    from .. import ocr
    from .inkmarks import measure

    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        return {}, []
    if not ocr.available():
        return {}, [f"{pages_phrase(wanted)} not read: Tesseract OCR is not installed on this machine"]
    order = list(dict.fromkeys([wanted[0], wanted[-1], *wanted[1:-1]]))
    read: dict[int, Page] = {}
    failed: list[int] = []
    end = time.monotonic() + limits.max_ocr_seconds
    if limits.ocr_deadline is not None:
        end = min(end, limits.ocr_deadline)
    for number in order:
        if len(read) + len(failed) >= limits.max_ocr_pages or end - time.monotonic() < 0.5:
            break
        try:
            gray, dpi = load(number)
            if min(gray.shape) < _MIN_OCR_SIDE:
                continue
            scaled, pt_per_px = ocr.fit_for_ocr(gray, dpi)
            del gray
            left = max(0.5, end - time.monotonic())
            scan = ocr.read_image(scaled, number=number, pt_per_px=pt_per_px, timeout=left)
        except (ResourceLimit, CorruptDocument, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - a page Tesseract cannot read (or that times out) stays unread
            failed.append(number)
            continue
        read[number] = replace(scan.page, ink=measure(scan))
    notes: list[str] = []
    if read:
        confidences = [p.mean_confidence for p in read.values() if p.mean_confidence is not None]
        mean = f" (mean word confidence {sum(confidences) / len(confidences):.0f}/100)" if confidences else ""
        notes.append(f"{pages_phrase(sorted(read))} read by OCR{mean}")
    if failed:
        notes.append(f"{pages_phrase(sorted(failed))} could not be read by OCR")
    skipped = sorted(set(wanted) - set(read) - set(failed))
    if skipped:
        notes.append(f"{pages_phrase(skipped)} not read by OCR (limit of {limits.max_ocr_pages} pages or "
                     f"{limits.max_ocr_seconds:g} s per uploaded file): check them by eye, or upload a PDF with a text layer")
    return read, notes


def _read_frames(image, data: bytes, limits: Limits) -> tuple[list[Page], bool]:
    from PIL import Image

    if image.format == "PNG":
        with Image.open(io.BytesIO(data), formats=["PNG"]) as check:
            check.verify()  # chunk checksums and a complete file, without decoding pixels
    multi_page = image.format == "TIFF"
    pages: list[Page] = []
    for index in range(limits.max_pages + 1):
        if index:
            if not multi_page:
                break
            try:
                image.seek(index)
            except EOFError:
                break
            except Exception:  # noqa: BLE001 - a broken later frame: keep the pages read so far
                if pages:
                    return pages, False
                raise
        if index == limits.max_pages:
            return pages, False
        width, height = image.size
        if width <= 0 or height <= 0:
            raise CorruptDocument("damaged image (it declares no size): export or scan it again and re-upload")
        if width * height > limits.max_image_pixels:
            raise _too_big(width * height, limits)
        x_dpi, y_dpi = _dpi(image)
        if _orientation(image) in _SWAPPED_ORIENTATIONS:
            width, height = height, width
            x_dpi, y_dpi = y_dpi, x_dpi
        _decode(image, index)
        pages.append(Page(number=index + 1, text="", width=width * 72.0 / x_dpi, height=height * 72.0 / y_dpi))
    return pages, True


def _decode(image, index: int) -> None:
    if image.format in ("JPEG", "MPO") and index == 0:
        width, height = image.size
        image.draft(None, (max(1, width // 8), max(1, height // 8)))
    image.load()


def _dpi(image) -> tuple[float, float]:
    dpi = image.info.get("dpi")
    try:
        x, y = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        x = y = 0.0
    usable = _MIN_DPI <= x <= _MAX_DPI and _MIN_DPI <= y <= _MAX_DPI
    return (x, y) if usable else (_DEFAULT_DPI, _DEFAULT_DPI)


def _orientation(image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - broken EXIF blocks are common and harmless here
        return 1


def _pixels_in(message: str) -> int | None:
    match = re.search(r"\((\d+) pixels\)", message)
    return int(match.group(1)) if match else None


def _too_big(pixels: int | None, limits: Limits) -> ResourceLimit:
    size = f"{pixels / 1e6:,.0f} megapixels" if pixels else "too large"
    return ResourceLimit(f"image is {size}, over the limit of {limits.max_image_pixels / 1e6:,.0f} megapixels: "
                         "scan or export it at a lower resolution (300 dpi is plenty) and re-upload")


def _failure(exc: BaseException) -> CorruptDocument | ResourceLimit:
    """The typed error for what Pillow raised: its text-chunk limits guard PNG zTXt/iTXt bombs."""
    if isinstance(exc, ValueError) and "MAX_TEXT" in str(exc):
        return ResourceLimit("image carries oversized compressed text data (a decompression bomb): "
                             "export or scan the page again and re-upload")
    return _corrupt(exc)


def _corrupt(exc: BaseException) -> CorruptDocument:
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        detail = "not a readable PNG, JPEG or TIFF file"
    else:
        detail = str(exc).strip().splitlines()[0][:100] if str(exc).strip() else type(exc).__name__
    return CorruptDocument(f"damaged or truncated image ({detail}): export or scan it again and re-upload")
