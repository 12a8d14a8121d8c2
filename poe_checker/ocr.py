"""OCR of page images with Tesseract: words with boxes (PDF points, top-left) and confidence.

Tesseract runs as its command-line program, one process per page, fed a PNG on stdin and read
back as TSV. The CLI rather than pytesseract: pytesseract is itself a wrapper that writes temp
files and shells out to the same program, so calling it directly costs one dependency less, no
temp files, and gives us the timeout and the one-thread setting (``OMP_THREAD_LIMIT=1``) in hand.

Orientation: a page that reads badly upright (few words or low mean confidence) is checked with
Tesseract's orientation detection (OSD) and read again turned the right way. Skew: a few degrees
of tilt, as a sheet fed crookedly gives, is measured from the row profile of a small copy of the
page and undone before reading. Page segmentation mode 6 (one block of lines) keeps a label and
its value ("Name:  John Doe") on one line, which mode 3 splits into blocks when the gap is wide,
and is the fastest mode here; side-by-side columns are read across, so their lines interleave. Word boxes are mapped back to the page as the file shows it.

The reading returns the upright, deskewed greyscale image too, so ink on signature lines can be
looked for in the same pixels the words were found in (``poe_checker.reading.ink``).
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from collections.abc import Callable

import numpy as np

from . import knowledge
from .model import BBox, Page, Word

PixelBox = tuple[int, int, int, int]


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed (or has no English data)."""


@dataclass(frozen=True)
class OcrPage:
    """One page read by OCR: the model's Page plus what ink detection needs."""

    page: Page
    gray: np.ndarray
    """The upright, deskewed greyscale image (uint8, rows × columns) the words were read from."""
    word_pixels: tuple[PixelBox, ...]
    """Each word's box in ``gray`` pixels, parallel to ``page.words``."""
    to_page: Callable[[PixelBox], BBox]
    """Maps a box in ``gray`` pixels to PDF points on the page as displayed."""
    pt_per_px: float
    rotated: int = 0
    """Degrees the page was turned (clockwise) to read it upright."""
    skew: float = 0.0


@functools.cache
def _settings() -> dict:
    return knowledge.load("ink")["ocr"]


@functools.cache
def tesseract() -> str:
    """Path of the tesseract program; raises OcrUnavailable with what to install."""
    path = shutil.which("tesseract")
    if not path:
        raise OcrUnavailable("Tesseract OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")
    return path


def available() -> bool:
    try:
        tesseract()
    except OcrUnavailable:
        return False
    return True


def _run(args: list[str], png: bytes, timeout: float) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.run([tesseract(), "stdin", "stdout", *args], input=png, capture_output=True,
                          timeout=timeout, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[:200] or "tesseract failed")
    return proc.stdout.decode("utf-8", "replace")


def _png(gray: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


# ---- geometry -------------------------------------------------------------------------------

def _turn(gray: np.ndarray, degrees: int) -> np.ndarray:
    """Turn clockwise by a multiple of 90°."""
    return np.ascontiguousarray(np.rot90(gray, k=-(degrees // 90) % 4))


def _unturn_point(x: float, y: float, degrees: int, w: int, h: int) -> tuple[float, float]:
    """A point of the image turned clockwise by ``degrees`` back to the original, of ``w``×``h`` pixels."""
    d = degrees % 360
    if d == 90:
        return y, h - x
    if d == 180:
        return w - x, h - y
    if d == 270:
        return w - y, x
    return x, y


def skew_angle(gray: np.ndarray) -> float:
    """Degrees a page is tilted (counter-clockwise positive), from the sharpest row profile."""
    from PIL import Image

    cfg = _settings()
    limit, step = float(cfg["max_skew_degrees"]), float(cfg["skew_step_degrees"])
    h, w = gray.shape
    scale = min(1.0, 800.0 / max(h, w))
    small = Image.fromarray(gray).resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.BILINEAR)
    ink = Image.fromarray(((np.asarray(small) < 128) * 255).astype(np.uint8))
    if not np.asarray(ink).any():
        return 0.0

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST), dtype=np.float32).sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    angles = [i * step for i in range(-int(limit / step), int(limit / step) + 1)]
    scores = {a: sharpness(a) for a in angles}
    best = max(angles, key=lambda a: (scores[a], -abs(a)))
    # Only undo a tilt that clearly beats reading the page as it is.
    return best if scores[best] > scores[0.0] * 1.05 else 0.0


def looks_turned(gray: np.ndarray) -> bool:
    """Whether text lines run vertically: the column profile is much sharper than the row profile."""
    from PIL import Image

    h, w = gray.shape
    scale = min(1.0, 1200.0 / max(h, w))  # lines of 10 pt text must stay apart
    small = np.asarray(Image.fromarray(gray).resize((max(1, int(w * scale)), max(1, int(h * scale))),
                                                    Image.BILINEAR)) < 128
    if small.sum() < 50:
        return False
    rows, cols = small.sum(axis=1).astype(np.float64), small.sum(axis=0).astype(np.float64)
    sharp_rows = float(np.mean(np.diff(rows) ** 2)) / max(1.0, float(rows.mean()) ** 2)
    sharp_cols = float(np.mean(np.diff(cols) ** 2)) / max(1.0, float(cols.mean()) ** 2)
    return sharp_cols > 2.0 * sharp_rows


def _rotate_small(gray: np.ndarray, angle: float) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(gray).rotate(angle, resample=Image.BILINEAR, fillcolor=255))


def _unrotate_point(x: float, y: float, angle: float, w: int, h: int) -> tuple[float, float]:
    """A point of the image rotated by ``angle`` (PIL: counter-clockwise, about the centre) back."""
    cx, cy = w / 2.0, h / 2.0
    a = math.radians(angle)
    dx, dy = x - cx, y - cy
    # PIL rotates content counter-clockwise on screen (y down): undo with the opposite turn.
    return cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)


# ---- reading --------------------------------------------------------------------------------

_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


@dataclass
class _Raw:
    text: str
    spans: list[tuple[int, int]]
    boxes: list[PixelBox]
    confs: list[float]

    @property
    def mean(self) -> float:
        return float(sum(self.confs) / len(self.confs)) if self.confs else 0.0

    @property
    def good(self) -> int:
        return sum(1 for c in self.confs if c >= 60)


def _tsv(gray: np.ndarray, timeout: float) -> _Raw:
    out = _run(["-l", "eng", "--psm", "6", "--dpi", "300", "tsv"], _png(gray), timeout)
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    boxes: list[PixelBox] = []
    confs: list[float] = []
    pos = 0
    last_line: tuple[str, str, str] | None = None
    last_block: str | None = None
    for row in out.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        line = (cols[2], cols[3], cols[4])
        if last_line is not None:
            sep = " " if line == last_line else ("\n\n" if cols[2] != last_block else "\n")
            parts.append(sep)
            pos += len(sep)
        last_line, last_block = line, cols[2]
        parts.append(text)
        spans.append((pos, pos + len(text)))
        pos += len(text)
        boxes.append((left, top, left + width, top + height))
        confs.append(max(0.0, min(100.0, conf)))
    return _Raw("".join(parts), spans, boxes, confs)


def _osd_rotation(gray: np.ndarray, timeout: float) -> int | None:
    """Degrees (clockwise) to turn the page to read it, when OSD is sure; None when it is not."""
    try:
        out = _run(["--psm", "0"], _png(gray), timeout)
    except (RuntimeError, subprocess.TimeoutExpired):
        return None
    rot, conf = _OSD_ROTATE.search(out), _OSD_CONF.search(out)
    if not rot or not conf or float(conf.group(1)) < float(_settings()["min_osd_confidence"]):
        return None
    return int(rot.group(1)) % 360


def read_image(gray: np.ndarray, *, number: int | None, pt_per_px: float, timeout: float | None = None) -> OcrPage:
    """OCR one page image (uint8 greyscale). Boxes come back in points of the page as shown.

    ``timeout`` bounds the whole reading (every Tesseract call of this page together); the
    orientation check is skipped when too little of it is left.
    """
    cfg = _settings()
    deadline = time.monotonic() + float(timeout if timeout is not None else cfg["timeout_seconds"])

    def left() -> float:
        return deadline - time.monotonic()

    h0, w0 = gray.shape
    shown = gray
    turned = 0
    if looks_turned(gray):  # text lines run up the page: find the way up before reading, not after
        rotation = _osd_rotation(gray, left())
        if rotation:
            gray, turned = _turn(gray, rotation), rotation
    angle = skew_angle(gray)
    work = _rotate_small(gray, angle) if angle else gray
    raw = _tsv(work, max(0.5, left()))
    poor = raw.good < int(cfg["min_good_words"]) or raw.mean < float(cfg["reread_below_confidence"])
    if poor and not turned and left() > 1.0:
        rotation = _osd_rotation(gray, left())
        if rotation and left() > 1.0:
            candidate = _turn(shown, rotation)
            tilt = skew_angle(candidate)
            if tilt:
                candidate = _rotate_small(candidate, tilt)
            try:
                again = _tsv(candidate, left())
            except subprocess.TimeoutExpired:
                again = _Raw("", [], [], [])
            if again.mean > raw.mean:
                work, raw, turned, angle = candidate, again, rotation, tilt
    th, tw = work.shape

    def to_page(box: PixelBox) -> BBox:
        xs, ys = [], []
        for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
            if angle:
                x, y = _unrotate_point(x, y, angle, tw, th)
            x, y = _unturn_point(x, y, turned, w0, h0)
            xs.append(x)
            ys.append(y)
        return (max(0.0, min(xs)) * pt_per_px, max(0.0, min(ys)) * pt_per_px,
                min(float(w0), max(xs)) * pt_per_px, min(float(h0), max(ys)) * pt_per_px)

    words = tuple(Word(raw.text[s:e], s, e, to_page(b), round(c, 1))
                  for (s, e), b, c in zip(raw.spans, raw.boxes, raw.confs))
    page = Page(number=number, text=raw.text, words=words, width=w0 * pt_per_px, height=h0 * pt_per_px,
                ocr=True, mean_confidence=round(raw.mean, 1) if raw.confs else None)
    return OcrPage(page, work, tuple(raw.boxes), to_page, pt_per_px, turned, angle)


def to_gray(image) -> np.ndarray:
    """A Pillow image as uint8 greyscale, transparency flattened onto white."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        image = white
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(image.convert("F"), dtype=np.float32)
        top = float(arr.max()) or 1.0
        return (arr * (255.0 / top)).clip(0, 255).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def fit_for_ocr(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """Scale an image to about 300 dpi (Tesseract's sweet spot; more is only slower).

    Returns the image and its points per pixel.
    """
    from PIL import Image

    cfg = _settings()
    target = float(cfg["dpi"])
    h, w = gray.shape
    factor = target / dpi if dpi > 0 else 1.0
    if factor > 1.0:
        factor = min(factor, float(cfg["max_upscale"]))
    limit = float(cfg["max_side_pixels"]) / max(h, w)
    factor = min(factor, limit)
    if abs(factor - 1.0) < 0.05:
        return gray, 72.0 / dpi
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    scaled = np.asarray(Image.fromarray(gray).resize(size, Image.LANCZOS if factor < 1 else Image.BICUBIC))
    return scaled, 72.0 / (dpi * factor) if dpi > 0 else 1.0 / factor


__all__ = ["OcrPage", "OcrUnavailable", "available", "fit_for_ocr", "read_image", "skew_angle", "tesseract",
           "to_gray"]
