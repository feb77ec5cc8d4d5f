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
