"""Issue 14, no page turned into a picture for its fonts: Type 3 fonts, a custom embedded
CMap with codes of mixed length, and vertical writing are all redacted glyph by glyph."""

from __future__ import annotations

from pathlib import Path

from tests.unit.redaction.hardcheck import check_redacted, confirmed, ocr_reads
from tests.unit.redaction.hardgen import (
    CMAP_WORDS,
    TYPE3_LINE,
    VERTICAL_WORDS,
    custom_cmap_pdf,
    type3_pdf,
    vertical_pdf,
)
from tests.unit.redaction.pdfgen import qdf_bytes


def test_type3_text_beside_the_box_on_the_same_line_stays(tmp_path: Path) -> None:
    src, rect = type3_pdf()
    assert ocr_reads(src, rect, TYPE3_LINE[1], tmp_path), "the fixture shows the secret"
    check_redacted(
        src,
        [confirmed(0, rect)],
        [TYPE3_LINE[1]],
        [TYPE3_LINE[0], TYPE3_LINE[2], "Plainheadingstays"],
        tmp_path,
        ocr_secret=TYPE3_LINE[1],
    )


def test_custom_embedded_cmap_with_mixed_code_lengths(tmp_path: Path) -> None:
    src, rect = custom_cmap_pdf()
    first, secret, last = CMAP_WORDS
    # pdfminer ignores CMaps embedded in a file (it finds no text in the source either),
    # so poppler's pdftotext is the second witness here
    result = check_redacted(
        src,
        [confirmed(0, rect)],
        [secret],
        [first, last, "Plainheadingstays"],
        tmp_path,
        second="pdftotext",
    )
    # the two-byte codes of the secret are gone from the bytes, the one-byte ones stay
    raw = qdf_bytes(result.output, tmp_path)
    assert b"".join(b"\x80" + c.encode() for c in secret[:4]) not in raw
    assert first.encode() in raw


def test_vertical_writing_keeps_the_words_above_and_below(tmp_path: Path) -> None:
    src, rect = vertical_pdf()
    top, secret, end = VERTICAL_WORDS
    check_redacted(src, [confirmed(0, rect)], [secret], [top, end, "Plainheadingstays"], tmp_path)
