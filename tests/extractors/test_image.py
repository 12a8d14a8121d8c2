"""Images: one page per image or TIFF frame, sized in points, bombs and damage refused in plain words."""

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from poe_checker.errors import CorruptDocument, ResourceLimit
from poe_checker.extractors import image
from poe_checker.limits import DEFAULT_LIMITS, Limits


def _save(img: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(width: int, height: int, extra_chunks: bytes = b"", rows: bytes | None = None) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = rows if rows is not None else b"\x00" * (width + 1) * height
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra_chunks
            + _chunk(b"IDAT", zlib.compress(data)) + _chunk(b"IEND", b""))


def test_png_with_dpi_is_sized_in_points():
    data = _save(Image.new("RGB", (600, 300), "white"), "PNG", dpi=(300, 300))
    x = image.extract(data, DEFAULT_LIMITS)
    (page,) = x.pages
    assert (page.number, page.text, page.words) == (1, "", ())
    assert page.width == pytest.approx(144.0, abs=0.1) and page.height == pytest.approx(72.0, abs=0.1)
    assert x.page_count == 1
    assert x.notes == ("page 1 read by OCR",)  # a blank page: read, no words


def test_jpeg_without_dpi_counts_one_point_per_pixel():
    data = _save(Image.new("RGB", (320, 200), "grey"), "JPEG")
    (page,) = image.extract(data, DEFAULT_LIMITS).pages
    assert (page.width, page.height) == (320.0, 200.0)


def test_exif_rotated_jpeg_reports_the_displayed_shape():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    data = _save(Image.new("RGB", (400, 100)), "JPEG", exif=exif.tobytes())
    (page,) = image.extract(data, DEFAULT_LIMITS).pages
    assert (page.width, page.height) == (100.0, 400.0)


def test_multi_page_tiff_gives_one_page_per_frame():
    frames = [Image.new("L", (200, 100)), Image.new("L", (300, 150)), Image.new("1", (100, 100))]
    data = _save(frames[0], "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    x = image.extract(data, DEFAULT_LIMITS)
    assert x.page_count == 3
    assert [p.number for p in x.pages] == [1, 2, 3]
    assert [(round(p.width), round(p.height)) for p in x.pages] == [(72, 36), (108, 54), (36, 36)]


def test_tiff_frames_beyond_the_page_limit_are_noted():
    frames = [Image.new("L", (10, 10)) for _ in range(4)]
    data = _save(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    x = image.extract(data, Limits(max_pages=2))
    assert x.page_count == 2
    assert any("first 2 pages" in note for note in x.notes)


@pytest.mark.parametrize("mode, fmt", [("I;16", "PNG"), ("CMYK", "JPEG"), ("CMYK", "TIFF"), ("LA", "PNG"),
                                       ("P", "PNG"), ("I", "TIFF"), ("F", "TIFF")])
def test_unusual_modes_are_read(mode, fmt):
    data = _save(Image.new(mode, (20, 10)), fmt)
    assert image.extract(data, DEFAULT_LIMITS).page_count == 1


def test_pixel_flood_header_is_refused_before_decoding():
    # a 60000 x 60000 PNG would need 3.6 GB to decode; the header alone must decide
    data = _png(60000, 60000, rows=b"")
    started = time.perf_counter()
    with pytest.raises(ResourceLimit, match=r"image is 3,600 megapixels, over the limit"):
        image.extract(data, DEFAULT_LIMITS)
    assert time.perf_counter() - started < 1.0


def test_pixel_limit_comes_from_limits():
    data = _save(Image.new("L", (100, 100)), "PNG")
    with pytest.raises(ResourceLimit, match="megapixels"):
        image.extract(data, Limits(max_image_pixels=5_000))
    # between the limit and twice the limit Pillow only warns; that still counts as over
    data = _save(Image.new("L", (80, 80)), "PNG")
    with pytest.raises(ResourceLimit):
        image.extract(data, Limits(max_image_pixels=5_000))


def test_png_text_chunk_bomb_is_a_resource_limit():
    bomb = _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000))
    with pytest.raises(ResourceLimit, match="decompression bomb"):
        image.extract(_png(8, 8, extra_chunks=bomb), DEFAULT_LIMITS)


@pytest.mark.parametrize("make", [
    lambda: _save(Image.new("RGB", (300, 200), "red"), "PNG")[:-40],          # cut off before IEND
    lambda: _save(Image.linear_gradient("L").resize((300, 300)), "JPEG")[:1500],  # truncated scan data
    lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,                               # signature, then nothing
    lambda: b"II*\x00" + b"\xff" * 32,                                          # TIFF header, garbage IFD
])
def test_damaged_images_are_corrupt(make):
    with pytest.raises(CorruptDocument, match="damaged or truncated image"):
        image.extract(make(), DEFAULT_LIMITS)


def test_gif_is_not_parsed_even_if_it_reached_the_extractor():
    data = _save(Image.new("L", (10, 10)), "GIF")
    with pytest.raises(CorruptDocument):
        image.extract(data, DEFAULT_LIMITS)
