"""Word extraction: text order, tables, three kinds of checkbox, form fields, tracked changes and
hostile packages. Inputs are built here with python-docx, with raw WordprocessingML injected
where python-docx has no API (content controls, text boxes, form fields, revisions)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from poe_checker.errors import CorruptDocument, EmptyDocument, EncryptedDocument, ResourceLimit
from poe_checker.extractors.docx import extract
from poe_checker.limits import DEFAULT_LIMITS, Limits

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "docx"

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
DECL = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())


# ---- builders ---------------------------------------------------------------------------------

def _xml(fragment: str) -> etree._Element:
    return etree.fromstring(f"<root {DECL}>{fragment}</root>")[0]


def _append(doc, fragment: str) -> None:
    """Raw block XML at the end of the body (before its sectPr)."""
    body = doc.element.body
    body.insert(len(body) - 1, _xml(fragment))


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, tuple[bytes, int]] | None = None,
           edit=None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = (replace or {}).get(info.filename, src.read(info))
            if edit is not None:
                body = edit(info.filename, body)
            dst.writestr(info.filename, body)
        for name, (body, method) in (add or {}).items():
            dst.writestr(name, body, compress_type=method)
    return out.getvalue()


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _cc_checkbox(checked: str | None, shown: str = "☒", tag: str = "") -> str:
    state = f'<w14:checked w14:val="{checked}"/>' if checked is not None else ""
    tag_xml = f'<w:tag w:val="{tag}"/>' if tag else ""
    return (f'<w:sdt><w:sdtPr>{tag_xml}<w14:checkbox>{state}<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
            f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
            f'<w:sdtContent>{_run(shown)}</w:sdtContent></w:sdt>')


def _form_checkbox(name: str, default: str, checked: str | None = None) -> str:
    checked_xml = "" if checked is None else (f'<w:checked w:val="{checked}"/>' if checked else "<w:checked/>")
    return (f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="{name}"/><w:enabled/>'
            f'<w:checkBox><w:sizeAuto/><w:default w:val="{default}"/>{checked_xml}</w:checkBox></w:ffData>'
            f'</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _boxes(extraction) -> dict[str, tuple[bool, str]]:
    return {c.label: (c.checked, c.source) for c in extraction.checkboxes}


def _assert_spans(extraction) -> None:
    page = extraction.pages[0]
    for word in page.words:
        assert page.text[word.start:word.end] == word.text
    for box in extraction.checkboxes:
        if box.label:
            start, end = box.where.span
            assert page.text[start:end] == box.label == box.where.text


# ---- text, tables, headers ------------------------------------------------------------------------

def test_body_then_headers_and_footers_in_reading_order():
    doc = docx.Document()
    doc.add_paragraph("Statement of Work")
    doc.add_paragraph("Customer: Contoso Ltd")
    table = doc.add_table(rows=2, cols=3)
    for r, row in enumerate([("Workload", "Activity", "Date"), ("Microsoft Intune", "Deployment", "2024-03-01")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("Signed by the customer")
    doc.sections[0].header.paragraphs[0].text = "Fabrikam Consulting header"
    doc.sections[0].footer.paragraphs[0].text = "Confidential footer"

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert len(out.pages) == 1 and out.pages[0].number is None and out.page_count is None
    text = out.pages[0].text
    assert "Workload | Activity | Date\nMicrosoft Intune | Deployment | 2024-03-01\n" in text
    order = [text.index(s) for s in ("Statement of Work", "Customer: Contoso Ltd", "Microsoft Intune | Deployment",
                                     "Signed by the customer", "Fabrikam Consulting header", "Confidential footer")]
    assert order == sorted(order)
    assert [t.rows for t in out.tables] == [(("Workload", "Activity", "Date"),
                                             ("Microsoft Intune", "Deployment", "2024-03-01"))]
    assert out.tables[0].page is None
    assert all(w.bbox is None for w in out.pages[0].words)
    _assert_spans(out)


def test_identical_headers_of_later_sections_are_read_once():
    doc = docx.Document()
    doc.add_paragraph("Section one body")
    doc.sections[0].header.paragraphs[0].text = "Contoso POE header"
    doc.sections[0].footer.paragraphs[0].text = "Footer A"
    section = doc.add_section()
    doc.add_paragraph("Section two body")
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = "Contoso POE header"  # a second part, same words
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].text = "Footer B"

    text = extract(_save(doc), DEFAULT_LIMITS).pages[0].text

    assert text.count("Contoso POE header") == 1
    assert "Footer A" in text and "Footer B" in text
    assert text.index("Section two body") < text.index("Contoso POE header") < text.index("Footer A")


def test_nested_table_is_flattened_into_its_cell_and_not_listed_twice():
    doc = docx.Document()
    outer = doc.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Approvals"
    inner = outer.cell(0, 1).add_table(rows=2, cols=2)
    for r, row in enumerate([("Name", "Jane Doe"), ("Date", "2024-05-02")]):
        for c, value in enumerate(row):
            inner.cell(r, c).text = value

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert len(out.tables) == 1
    (cells,) = out.tables[0].rows
    assert cells[0] == "Approvals"
    assert "Name | Jane Doe / Date | 2024-05-02" in cells[1]
    assert out.pages[0].text.count("Jane Doe") == 1


def test_text_box_is_read_once_after_the_body():
    doc = docx.Document()
    doc.add_paragraph("Body start")
    box = ('<w:txbxContent><w:p>' + _run("Approved by Contoso procurement") + '</w:p></w:txbxContent>')
    _append(doc, (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
        f'</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>'
        '</mc:Fallback></mc:AlternateContent></w:r></w:p>'))
    doc.add_paragraph("Body end")
    doc.sections[0].header.paragraphs[0].text = "Header text"

    text = extract(_save(doc), DEFAULT_LIMITS).pages[0].text

    assert text.count("Approved by Contoso procurement") == 1
    assert text.index("Body end") < text.index("Approved by Contoso procurement") < text.index("Header text")


def test_tracked_changes_read_as_accepted():
    doc = docx.Document()
    _append(doc, (
        '<w:p>' + _run("Total due: ")
        + '<w:del w:id="1" w:author="A"><w:r><w:delText>USD 900</w:delText></w:r></w:del>'
        + '<w:ins w:id="2" w:author="A">' + _run("USD 1,200") + '</w:ins>'
        + '<w:moveFrom w:id="3" w:author="A">' + _run(" moved-away") + '</w:moveFrom></w:p>'))
    table = doc.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "kept row"
    table.cell(1, 0).text = "deleted row"
    table.rows[1]._tr.get_or_add_trPr().append(_xml('<w:del w:id="4" w:author="A"/>'))

    out = extract(_save(doc), DEFAULT_LIMITS)
    text = out.pages[0].text

    assert "Total due: USD 1,200" in text
    assert "900" not in text and "moved-away" not in text and "deleted row" not in text
    assert out.tables[0].rows == (("kept row",),)
    assert any("tracked changes" in n for n in out.notes)


# ---- checkboxes and fields ----------------------------------------------------------------------

def test_glyph_checkboxes_with_labels_after_before_and_in_the_next_cell():
    doc = docx.Document()
    doc.add_paragraph("☐ Microsoft Intune\t☒ Deployment ☐ Implementation ✓ Adoption/Change Mgmt.")
    doc.add_paragraph("Customer approved: ☒")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "☒"
    table.cell(0, 1).text = "Microsoft Defender for Endpoint"
    table.cell(1, 0).text = "Microsoft Purview"
    table.cell(1, 1).text = "☐"

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert _boxes(out) == {
        "Microsoft Intune": (False, "glyph"),
        "Deployment": (True, "glyph"),
        "Implementation": (False, "glyph"),
        "Adoption/Change Mgmt.": (True, "glyph"),
        "Customer approved": (True, "glyph"),
        "Microsoft Defender for Endpoint": (True, "glyph"),
        "Microsoft Purview": (False, "glyph"),
    }
    assert all(c.where.page is None and c.where.bbox is None for c in out.checkboxes)
    _assert_spans(out)


def test_content_control_checkboxes_follow_their_state_not_the_glyph_shown():
    doc = docx.Document()
    _append(doc, '<w:p>' + _cc_checkbox("1", tag="chkIntune") + _run(" Microsoft Intune") + '</w:p>')
    _append(doc, '<w:p>' + _cc_checkbox("0", shown="☐") + _run(" Microsoft Defender") + '</w:p>')
    _append(doc, '<w:p>' + _cc_checkbox("true", shown="☐") + _run(" Azure Migrate") + '</w:p>')
    _append(doc, '<w:p>' + _run("Adoption done ") + _cc_checkbox(None, shown="☐") + '</w:p>')

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert _boxes(out) == {
        "Microsoft Intune": (True, "content_control"),
        "Microsoft Defender": (False, "content_control"),
        "Azure Migrate": (True, "content_control"),  # state says ticked although ☐ is shown
        "Adoption done": (False, "content_control"),
    }
    assert len(out.checkboxes) == 4  # the glyph inside a control is not counted again
    (field,) = [f for f in out.form_fields if f.kind == "checkbox"]
    assert (field.name, field.value, field.where.text) == ("chkIntune", "checked", "Microsoft Intune")
    _assert_spans(out)


def test_text_content_controls_become_form_fields():
    doc = docx.Document()
    _append(doc, '<w:p>' + _run("Customer: ") + '<w:sdt><w:sdtPr><w:alias w:val="Customer name"/>'
            '<w:tag w:val="CustomerName"/><w:text/></w:sdtPr><w:sdtContent>' + _run("Contoso Ltd")
            + '</w:sdtContent></w:sdt></w:p>')
    _append(doc, '<w:p>' + _run("Signed on: ") + '<w:sdt><w:sdtPr><w:alias w:val="Signature date"/>'
            '<w:showingPlcHdr/><w:date/></w:sdtPr><w:sdtContent>' + _run("Click or tap to enter a date.")
            + '</w:sdtContent></w:sdt></w:p>')

    out = extract(_save(doc), DEFAULT_LIMITS)
    fields = {f.name: f for f in out.form_fields}

    assert fields["CustomerName"].value == "Contoso Ltd" and fields["CustomerName"].kind == "text"
    start, end = fields["CustomerName"].where.span
    assert out.pages[0].text[start:end] == "Contoso Ltd"
    assert fields["Signature date"].value is None  # placeholder text is not a value


def test_legacy_form_fields():
    doc = docx.Document()
    _append(doc, '<w:p>' + _form_checkbox("chkUrgent", "0") + _run(" Urgent ")
            + _form_checkbox("chkRoutine", "0", checked="") + _run(" Routine") + '</w:p>')
    _append(doc, '<w:p>' + _form_checkbox("chkOld", "1", checked="0") + _run(" Superseded") + '</w:p>')
    _append(doc, (
        '<w:p>' + _run("Signer: ")
        + '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="SignerName"/><w:textInput/></w:ffData>'
        '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + _run("Jane Doe")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert _boxes(out) == {"Urgent": (False, "form_field"), "Routine": (True, "form_field"),
                           "Superseded": (False, "form_field")}
    text = out.pages[0].text
    assert "☐ Urgent ☒ Routine" in text and "FORMCHECKBOX" not in text and "FORMTEXT" not in text
    fields = {f.name: f for f in out.form_fields}
    assert fields["SignerName"].value == "Jane Doe" and fields["SignerName"].kind == "text"
    assert fields["chkRoutine"].value == "checked"


def test_symbol_font_boxes():
    doc = docx.Document()
    _append(doc, '<w:p><w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>' + _run(" Deployment")
            + '<w:r><w:tab/><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>' + _run(" Implementation") + '</w:p>')
    _append(doc, '<w:p><w:r><w:rPr><w:rFonts w:ascii="Wingdings" w:hAnsi="Wingdings"/></w:rPr><w:t>\u00fd</w:t></w:r>'
            + _run(" Microsoft Sentinel") + '</w:p>')

    out = extract(_save(doc), DEFAULT_LIMITS)

    assert _boxes(out) == {"Deployment": (True, "glyph"), "Implementation": (False, "glyph"),
                           "Microsoft Sentinel": (True, "glyph")}
    assert "☑ Deployment" in out.pages[0].text and "ý" not in out.pages[0].text


# ---- package variants ----------------------------------------------------------------------------

def _simple_docx(text: str = "Proof of execution for Contoso") -> bytes:
    doc = docx.Document()
    doc.add_paragraph(text)
    return _save(doc)


def test_macro_enabled_and_template_content_types_are_read():
    for main_type in ("application/vnd.ms-word.document.macroEnabled.main+xml",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"):
        data = _rezip(_simple_docx(), edit=lambda name, body: body.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            main_type.encode()) if name == "[Content_Types].xml" else body)
        assert "Proof of execution for Contoso" in extract(data, DEFAULT_LIMITS).pages[0].text


def test_strict_open_xml_is_mapped():
    def to_strict(name: str, body: bytes) -> bytes:
        if name.endswith(".xml") or name.endswith(".rels"):
            body = body.replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                b"http://purl.oclc.org/ooxml/wordprocessingml/main")
            body = body.replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                b"http://purl.oclc.org/ooxml/officeDocument/relationships")
        return body

    out = extract(_rezip(_simple_docx(), edit=to_strict), DEFAULT_LIMITS)

    assert "Proof of execution for Contoso" in out.pages[0].text
    assert any("Strict" in n for n in out.notes)


def test_text_limit_truncates_with_a_note():
    doc = docx.Document()
    for i in range(200):
        doc.add_paragraph(f"Line {i} of the activity log")

    out = extract(_save(doc), Limits(max_text_chars=300))

    assert len(out.pages[0].text) <= 300 and out.pages[0].text.startswith("Line 0 ")
    assert any("300" in n for n in out.notes)


def test_empty_document_is_refused():
    with pytest.raises(EmptyDocument):
        extract(_save(docx.Document()), DEFAULT_LIMITS)


# ---- hostile input --------------------------------------------------------------------------------

def test_zip_bomb_member_is_refused():
    data = _rezip(_simple_docx(), add={"word/media/padding.bin": (b"\0" * 5_000_000, zipfile.ZIP_DEFLATED)})
    with pytest.raises(ResourceLimit, match="ZIP bomb"):
        extract(data, DEFAULT_LIMITS)


def test_zip_member_count_and_total_size_limits():
    data = _simple_docx()
    with pytest.raises(ResourceLimit, match="ZIP bomb"):
        extract(data, Limits(max_zip_members=3))
    with pytest.raises(ResourceLimit, match="ZIP bomb"):
        extract(data, Limits(max_zip_uncompressed=2_000))


def test_truncated_and_garbage_files_are_refused_as_damaged():
    data = _simple_docx()
    for bad in (data[: len(data) // 2], data[:200], b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(CorruptDocument, match="damaged Word file"):
            extract(bad, DEFAULT_LIMITS)
    not_word = _rezip(data, replace={"word/document.xml": b"<?xml version='1.0'?><foo>text</foo>"})
    with pytest.raises(CorruptDocument, match="not a Word document"):
        extract(not_word, DEFAULT_LIMITS)


def test_office_binary_container_is_refused_as_encrypted_or_legacy():
    with pytest.raises(EncryptedDocument, match="password"):
        extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, DEFAULT_LIMITS)


def _document_xml(prolog: str, body_text: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document xmlns:w="{NS["w"]}"><w:body><w:p><w:r>'
            f'<w:t>{body_text}</w:t></w:r></w:p></w:body></w:document>').encode()


def _laughs(levels: int) -> str:
    return '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, levels + 1))


def test_small_entity_is_left_unexpanded():
    data = _rezip(_simple_docx(), replace={
        "word/document.xml": _document_xml(f"<!DOCTYPE lolz [{_laughs(3)}]>", "start &lol3; end")})

    out = extract(data, DEFAULT_LIMITS)

    assert out.pages[0].text.strip() == "start  end"
    assert any("DTD" in n for n in out.notes)


def test_billion_laughs_is_refused_or_left_unexpanded():
    data = _rezip(_simple_docx(), replace={
        "word/document.xml": _document_xml(f"<!DOCTYPE lolz [{_laughs(9)}]>", "start &lol9; end")})

    t0 = time.perf_counter()
    try:
        text = extract(data, DEFAULT_LIMITS).pages[0].text
    except CorruptDocument as exc:  # libxml2 >= 2.11 stops at its amplification bound
        assert "XML bomb" in str(exc)
    else:
        assert "lol" not in text and len(text) < 100
    assert time.perf_counter() - t0 < 2


def test_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = _rezip(_simple_docx(), replace={"word/document.xml": _document_xml(
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>', "before &xxe; after")})

    text = extract(data, DEFAULT_LIMITS).pages[0].text

    assert "TOP-SECRET" not in text and "before" in text and "after" in text


# ---- corpus (skipped when ../shared/corpus is not beside this checkout) ----------------------------

def _corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} not available")
    return path.read_bytes()


def test_corpus_legacy_form_checkboxes():
    out = extract(_corpus("docx2py__checked_boxes.docx"), DEFAULT_LIMITS)
    boxes = _boxes(out)
    assert boxes["Adult Protective Services"] == (True, "form_field")
    assert boxes["Urgent"] == (False, "form_field")
    assert boxes["Routine"] == (False, "form_field")
    assert sum(c.checked for c in out.checkboxes) == 12
    _assert_spans(out)


def test_corpus_content_controls_and_dropdowns():
    out = extract(_corpus("docx2py__check_drop_my.docx"), DEFAULT_LIMITS)
    assert _boxes(out) == {"[user unchecked]": (False, "form_field"), "[user checked]": (True, "form_field"),
                           "[my unchecked]": (False, "content_control"), "[my checked]": (True, "content_control")}
    values = {(f.kind, f.value) for f in out.form_fields}
    assert ("choice", "Piihan B") in values and ("choice", "my_item_A") in values


def test_corpus_two_column_box_list_takes_the_matching_paragraph():
    out = extract(_corpus("poi__form_footnotes.docx"), DEFAULT_LIMITS)
    labels = [c.label for c in out.checkboxes]
    assert labels[:2] == ["male", "female"]
    assert "Attend school or pursue studies" in labels and "Other" in labels
    assert len(set(labels)) == len(labels)


def test_corpus_external_entity_document():
    out = extract(_corpus("poi__ExternalEntityInText.docx"), DEFAULT_LIMITS)
    assert out.pages[0].text.strip() == 'Here should not be the POI web site: ""'


def test_corpus_signed_package_declares_its_signature():
    out = extract(_corpus("poi__hello-world-signed.docx"), DEFAULT_LIMITS)
    (sig,) = out.signatures
    assert sig.kind == "digital" and sig.valid is None and sig.platform == "office"
    assert sig.signer_name == "Bart Hanssens (Signature)" and str(sig.signed_on) == "2009-08-21"


def test_corpus_872_page_document_is_fast():
    data = _corpus("unstructured__handbook-872p.docx")
    t0 = time.perf_counter()
    out = extract(data, DEFAULT_LIMITS)
    assert time.perf_counter() - t0 < 5
    assert len(out.pages) == 1 and len(out.pages[0].text) > 500_000


def test_corpus_password_protected_docx_is_refused():
    with pytest.raises(EncryptedDocument):
        extract(_corpus("poi__bug53475-password-is-pass.docx"), DEFAULT_LIMITS)
