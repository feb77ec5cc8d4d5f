"""Build small PDFs by hand (correct cross-reference tables), benign and hostile, for the tests."""

from __future__ import annotations

import io
import zlib

import pypdf

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"
CONTENT = b"<< /Length 0 >>\nstream\n\nendstream"


def build(objects: list[bytes], *, version: str = "1.7", root: int = 1) -> bytes:
    """A PDF whose object *n* (from 1) is ``objects[n-1]``, with a correct xref table."""
    out = io.BytesIO()
    out.write(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def simple(catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """One empty page; ``catalog_extra`` goes into the catalog, extra objects are numbered 5…."""
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            PAGE,
            CONTENT,
            *extra_objects,
        ]
    )


def no_pages() -> bytes:
    return build([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def encrypted(password: str = "geheim") -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(simple()))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript() -> bytes:
    return simple(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


def javascript_in_annotation() -> bytes:
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [5 0 R] >>"
    )
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
            CONTENT,
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A 6 0 R >>",
            b"<< /S /URI /URI (https://example.org) /Next 7 0 R >>",
            b"<< /S /JavaScript /JS 8 0 R >>",
            stream(b"app.alert(2)"),
        ]
    )


def launch() -> bytes:
    return simple(b"/OpenAction << /S /Launch /F (calc.exe) >>")


def embedded_file() -> bytes:
    return simple(
        b"/Names << /EmbeddedFiles << /Names [(a.txt) 5 0 R] >> >>",
        (
            b"<< /Type /Filespec /F (a.txt) /EF << /F 6 0 R >> >>",
            stream(b"hello", b"/Type /EmbeddedFile"),
        ),
    )


def reference_loop() -> bytes:
    """An action chain that points back at itself, and an outline whose items loop."""
    return simple(
        b"/OpenAction 5 0 R /Outlines 6 0 R",
        (
            b"<< /S /URI /URI (https://example.org) /Next 5 0 R >>",
            b"<< /Type /Outlines /First 7 0 R /Count 1 >>",
            b"<< /Title (a) /Parent 6 0 R /Next 7 0 R /First 7 0 R >>",
        ),
    )


def page_tree_loop() -> bytes:
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def deep_direct_nesting(depth: int = 5000) -> bytes:
    return simple(b"/Deep " + b"[" * depth + b"]" * depth)


def deep_reference_chain(depth: int = 300) -> bytes:
    chain = (*tuple(f"<< /Next {6 + i} 0 R >>".encode() for i in range(depth)), b"<< >>")
    return simple(b"/OpenAction 5 0 R", chain)


def bomb_bytes(megabytes: int = 100) -> bytes:
    """Flate data that inflates to ``megabytes`` MB of zeros (about 1000:1)."""
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


def content_bomb(megabytes: int = 100) -> bytes:
    """The page's content stream is the bomb: an inspector that decodes page content would choke."""
    data = bomb_bytes(megabytes)
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            PAGE,
            stream(data, b"/Filter /FlateDecode"),
        ]
    )


def metadata_bomb(megabytes: int = 100) -> bytes:
    """The XMP metadata stream is the bomb: it *is* decoded (for pdfaid), so limits must hold."""
    data = bomb_bytes(megabytes)
    return simple(
        b"/Metadata 5 0 R",
        (stream(data, b"/Type /Metadata /Subtype /XML /Filter /FlateDecode"),),
    )


def pdfa(part: int = 2, conformance: str = "B") -> bytes:
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        b"<pdfaid:part>%d</pdfaid:part><pdfaid:conformance>%s</pdfaid:conformance>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        % (part, conformance.encode())
    )
    return simple(b"/Metadata 5 0 R", (stream(xmp, b"/Type /Metadata /Subtype /XML"),))


def broken_xref() -> bytes:
    """A valid body whose startxref points at the wrong place (pypdf repairs it with a warning)."""
    data = simple()
    head, _, tail = data.rpartition(b"startxref\n")
    offset = int(tail.split(b"\n")[0])
    return head + b"startxref\n" + str(offset + 7).encode() + b"\n%%EOF\n"


def garbage_with_header(size: int = 4096) -> bytes:
    import random

    rng = random.Random(7)
    return b"%PDF-1.7\n" + rng.randbytes(size) + b"\n%%EOF\n"


def padded(data: bytes, size: int) -> bytes:
    """``data`` grown to about ``size`` bytes by an unreferenced stream object before its xref."""
    head, sep, tail = data.rpartition(b"xref\n0 ")
    pad = b"99 0 obj\n" + stream(b"p" * size) + b"\nendobj\n"
    fixed = head + pad + sep + tail
    xref = len(head) + len(pad)
    body, _, _ = fixed.rpartition(b"startxref\n")
    return body + b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"


def reader_extended() -> bytes:
    """A reader-extended form (ISO 32000-1 §12.8.2.3): ``/Perms /UR3`` whose transform
    parameters carry the *permission list* ``/EF [/Create …]`` — usage rights, not a file."""
    return simple(
        b"/Perms << /UR3 5 0 R >>",
        (
            b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
            b"/Reference [<< /Type /SigRef /TransformMethod /UR3 /TransformParams "
            b"<< /Type /TransformParams /V /2.2 /Document [/FullSave] /Annots [/Create /Delete] "
            b"/Form [/FillIn /Import] /EF [/Create /Delete /Modify /Import] /P true >> >>] "
            b"/Contents <00> /ByteRange [0 0 0 0] >>",
        ),
    )


def firefox_saved(object_streams: bool = True) -> bytes:
    """What Firefox's viewer (pdf.js) saves after annotating a linearized file: the original
    bytes unchanged, then an incremental update (new annotation, new page, xref table) whose
    trailer's ``/Prev`` is the original's ``startxref`` — the *first-page* xref of the
    linearized file (ISO 32000-1 Annex F.3)."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(simple())) as pdf:
        mode = (
            pikepdf.ObjectStreamMode.generate
            if object_streams
            else pikepdf.ObjectStreamMode.disable
        )
        pdf.save(out, linearize=True, deterministic_id=True, object_stream_mode=mode)
    original = out.getvalue()
    prev = int(original[original.rindex(b"startxref") + 9 :].split()[0])
    with pikepdf.open(io.BytesIO(original)) as pdf:
        page = pdf.pages[0].obj
        page_number, size = page.objgen[0], int(pdf.trailer.Size)
        root = pdf.Root.objgen[0]
        page_body = pikepdf.Dictionary(page).unparse(resolved=False)  # type: ignore[arg-type]
    page_body = page_body[:-2] + b" /Annots [%d 0 R] >>" % size
    update = io.BytesIO()
    update.write(original + b"\n")
    offsets = {page_number: update.tell()}
    update.write(b"%d 0 obj\n" % page_number + page_body + b"\nendobj\n")
    offsets[size] = update.tell()
    update.write(
        b"%d 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [10 10 90 40] /Contents (Notiz) "
        b"/DA (/Helv 12 Tf 0 g) /F 4 >>\nendobj\n" % size
    )
    xref = update.tell()
    update.write(b"xref\n0 1\n0000000000 65535 f \n")
    for number in sorted(offsets):
        update.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    update.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (size + 1, root, prev, xref)
    )
    return update.getvalue()


def eol_before_xref() -> bytes:
    """``startxref`` points at the end of line before ``xref`` (writers do this; readers and
    qpdf accept it)."""
    data = simple()
    head, _, tail = data.rpartition(b"startxref\n")
    offset = int(tail.split(b"\n")[0])
    return head + b"startxref\n" + str(offset - 1).encode() + b"\n%%EOF\n"


def xfa_form(script: bool = True) -> bytes:
    """An XFA form (``/AcroForm /XFA``, packets as ``[name stream …]``), with or without a
    ``<script>`` in its template."""
    body = (
        b'<script contentType="application/x-javascript">app.alert("XFA")</script>'
        if script
        else b"<value><text>Name</text></value>"
    )
    template = (
        b'<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="f">'
        b'<field name="a"><event activity="click">'
        + body
        + b"</event></field></subform></template>"
    )
    packet = zlib.compress(template)
    return simple(
        b"/AcroForm << /Fields [] /XFA [(template) 5 0 R] >>",
        (stream(packet, b"/Filter /FlateDecode"),),
    )


def _filespec_objects(first: int) -> tuple[bytes, bytes]:
    return (
        b"<< /Type /Filespec /F (data.xml) /UF (data.xml) /AFRelationship /Data "
        b"/EF << /F %d 0 R >> >>" % (first + 1),
        stream(b"<data/>", b"/Type /EmbeddedFile /Subtype /text#2Fxml"),
    )


def associated_file_on_structure_element() -> bytes:
    """A tagged PDF whose structure element carries an associated file (``/AF``, ISO 32000-2
    §14.13), and nothing else that would count as an embedded file."""
    return simple(
        b"/MarkInfo << /Marked true >> /StructTreeRoot 5 0 R",
        (
            b"<< /Type /StructTreeRoot /K 6 0 R >>",
            b"<< /Type /StructElem /S /Formula /P 5 0 R /Pg 3 0 R /AF [7 0 R] >>",
            *_filespec_objects(7),
        ),
    )


def associated_file_on_page() -> bytes:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /AF [5 0 R] >>"
    return build(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
            CONTENT,
            *_filespec_objects(5),
        ]
    )


def encrypted_unsupported(algorithm: str, old: bytes, new: bytes) -> bytes:
    """An encrypted file whose encryption dictionary is changed from ``old`` to ``new``: an
    RC4 ``/Length`` of 256 bits (ISO 32000-1 Table 20 allows 40–128), an unknown ``/V`` or an
    unknown security handler. Readers may not open it, but it is encrypted, not damaged."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(simple()))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert data.count(old) == 1
    return data.replace(old, new)


_XMP_PDFA = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
    'pdfaid:part="{part}"{conformance}/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def pdfa_xmp(part: str, conformance: str | None, encoding: str = "utf-8") -> bytes:
    """A PDF/A claim as XMP attributes in a packet of the given encoding (``utf-16-le`` …;
    a plain ``utf-16``/``utf-32`` writes a BOM)."""
    extra = "" if conformance is None else f' pdfaid:conformance="{conformance}"'
    xmp = _XMP_PDFA.format(part=part, conformance=extra).encode(encoding)
    return simple(b"/Metadata 5 0 R", (stream(xmp, b"/Type /Metadata /Subtype /XML"),))


def big_object_stream(count: int = 65_000) -> bytes:
    """One page whose catalog, page tree and page sit in an object stream together with
    ``count`` filler objects (about 1.5 MB for 65,000); cross-reference stream, PDF 1.5."""
    small = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    numbers = [1, 2, 3, *range(6, 6 + count)]
    noise = __import__("random").Random(count)
    bodies = [
        *small,
        *(b"<< /Filler <%s> >>" % noise.randbytes(11).hex().encode() for _ in range(count)),
    ]
    header, data, position = [], [], 0
    for number, body in zip(numbers, bodies, strict=True):
        header.append(b"%d %d" % (number, position))
        data.append(body)
        position += len(body) + 1
    head = b" ".join(header) + b"\n"
    raw = head + b"\n".join(data)
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {4: out.tell()}
    out.write(b"4 0 obj\n" + CONTENT + b"\nendobj\n")
    offsets[5] = out.tell()
    packed = zlib.compress(raw)
    out.write(
        b"5 0 obj\n"
        + stream(
            packed,
            b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(numbers), len(head)),
        )
        + b"\nendobj\n"
    )
    xref_number = 6 + count
    offsets[xref_number] = out.tell()
    index_in_stream = {number: i for i, number in enumerate(numbers)}
    # /W [1 4 3]: type, offset or object-stream number, generation or index in the stream
    rows = [b"\x00\x00\x00\x00\x00\xff\xff\xff"] + [
        (b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00\x00")
        if n in offsets
        else (b"\x02" + (5).to_bytes(4, "big") + index_in_stream[n].to_bytes(3, "big"))
        for n in range(1, xref_number + 1)
    ]
    xref_data = zlib.compress(b"".join(rows))
    out.write(
        b"%d 0 obj\n" % xref_number
        + stream(
            xref_data,
            b"/Type /XRef /Size %d /W [1 4 3] /Root 1 0 R /Filter /FlateDecode" % (xref_number + 1),
        )
        + b"\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number])
    return out.getvalue()
