import io
import zipfile

import pytest

from poe_checker.errors import CorruptDocument, EmptyDocument, UnsupportedFormat
from poe_checker.sniff import OLE_MAGIC, sniff


def zip_with(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n%...", "pdf"),
    (b"\x00\x00junk before the header %PDF-1.4\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n....", "image"),
    (b"\xff\xd8\xff\xe0....", "image"),
    (b"II*\x00....", "image"),
    (zip_with("[Content_Types].xml", "word/document.xml"), "docx"),
    (b"From: John Doe <john@contoso.com>\nTo: jane@fabrikam.com\nSubject: Hi\n\nBody", "eml"),
    (b"Received: from x\r\nMessage-ID: <1@x>\r\nFrom: a@b.c\r\n\r\nbody", "eml"),
    ("From: a@b.c\nSubject: utf16\n\nbody".encode("utf-16"), "eml"),
    ("From: a@b.c\nSubject: no BOM\n\nbody".encode("utf-16-le"), "eml"),
    ("From: a@b.c\nSubject: no BOM\n\nbody".encode("utf-16-be"), "eml"),
])
def test_kind_comes_from_content(data, kind):
    assert sniff(data).kind == kind


@pytest.mark.parametrize("data, error, words", [
    (b"", EmptyDocument, "empty"),
    (b"   \n", EmptyDocument, "empty"),
    (b"GIF89a....", UnsupportedFormat, "GIF"),
    (zip_with("xl/workbook.xml"), UnsupportedFormat, "Excel"),
    (zip_with("a.txt"), UnsupportedFormat, "ZIP"),
    (b"PK\x03\x04" + b"\x00" * 40, CorruptDocument, "damaged"),
    (b"{\\rtf1 hello}", UnsupportedFormat, "RTF"),
    (b"just some words that are not a document", UnsupportedFormat, "unrecognised"),
    (OLE_MAGIC + b"\x00" * 100, CorruptDocument, "damaged"),
])
def test_refusals_say_what_to_do(data, error, words):
    with pytest.raises(error, match=words):
        sniff(data)
