"""Packet assembly: order, manifest, footers, cover counts, window address, determinism."""

from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest
from PIL import Image

from roi_desk.errors import DocumentError, ValidationError
from roi_desk.fax import pdf_to_fax_tiff
from roi_desk.letters import NUMBER_10_WINDOW
from roi_desk.packets import (
    AssemblyCancelled,
    FaxCoverSpec,
    Manifest,
    Part,
    assemble,
    build_packet,
)
from tests.unit.letters.pdfinspect import needs_poppler, page_count, pages, plain_text
from tests.unit.packets.factory import MRN, PATIENT, REQUEST, packet_input, records_pdf, sources

pytestmark = needs_poppler


def test_packet_order_manifest_and_sources() -> None:
    packet = build_packet(packet_input(4, part2=True))
    parts = [p.part for p in packet.manifest.pages]
    assert parts == [
        Part.COVER,
        Part.INVOICE,
        Part.PART2_NOTICE,
        Part.CONSENT,
        Part.REDISCLOSURE_NOTICE,
        *[Part.RECORD] * 4,
    ]
    records = [p for p in packet.manifest.pages if p.part == Part.RECORD]
    assert [(p.document_id, p.source_page) for p in records] == [("doc-1", n) for n in range(1, 5)]
    consent = next(p for p in packet.manifest.pages if p.part == Part.CONSENT)
    assert (consent.document_id, consent.source_page) == ("consent-doc", 1)
    assert page_count(packet.pdf) == packet.page_count == 9
    text = plain_text(packet.pdf)
    assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in text
    assert "Signed consent page 1" in text
    # manifest survives its JSON form
    data = packet.manifest.to_json(built_by="mrivera")
    assert data["sha256"] == packet.sha256 and data["page_count"] == 9
    assert Manifest.from_json(data) == packet.manifest


def test_same_input_gives_identical_bytes() -> None:
    data = packet_input(5, fax=True)
    assert build_packet(data).pdf == build_packet(data).pdf


def test_record_pages_carry_footers_with_page_n_of_total() -> None:
    packet = build_packet(packet_input(3, with_invoice=False))
    rendered = pages(packet.pdf)
    total = len(rendered)
    assert total == 5  # letter, redisclosure notice, 3 records
    for number, page in enumerate(rendered, start=1):
        if number <= 2:
            assert "Request " + REQUEST not in page.text
            continue
        assert f"Page {number} of {total}" in page.text
        assert PATIENT.split(",")[0] in page.text and MRN in page.text
        footer_words = page.find(MRN)
        # in the bottom margin, below the record's own text
        assert footer_words and footer_words[0].box.top > page.height - 0.4
    # the record text itself is untouched
    assert "Synthetic record page 2" in rendered[3].text


def test_footer_follows_page_rotation() -> None:
    src = pikepdf.open(io.BytesIO(records_pdf(1)))
    src.pages[0].obj.Rotate = 90
    buffer = io.BytesIO()
    src.save(buffer)
    packet = build_packet(packet_input(1, released=buffer.getvalue(), with_invoice=False))
    assert "MRN100042" in pages(packet.pdf)[-1].text
    # pdftoppm honours /Rotate: the footer must be at the bottom of the page as shown
    image = _render(packet.pdf, packet.page_count)
    assert image.width > image.height
    bottom = image.crop((0, image.height - 25, image.width, image.height))
    assert sum(bottom.histogram()[:128]) > 50


def _render(pdf: bytes, page: int, dpi: int = 72) -> Image.Image:
    ppm = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(ppm)).convert("L")


def test_fax_cover_page_count_equals_real_count() -> None:
    for n, invoice in ((1, False), (7, True)):
        packet = build_packet(packet_input(n, fax=True, with_invoice=invoice))
        real = page_count(packet.pdf)
        cover = pages(packet.pdf)[0].text
        assert f"{real} (including this cover sheet)" in cover
        assert f"If you do not receive all {real} pages" in cover
        # no PHI on the cover sheet
        assert "Zielinski" not in cover and MRN not in cover


def test_fax_cover_refuses_patient_name_as_addressee() -> None:
    data = packet_input(1, fax=True)
    bad = FaxCoverSpec(to_name="Ada Zielinski", to_fax="(617) 555-0123")
    with pytest.raises(ValidationError, match="identifies the patient"):
        build_packet(type(data)(**{**data.__dict__, "cover": bad}))


def test_mail_letter_and_invoice_address_inside_window() -> None:
    packet = build_packet(packet_input(2))
    rendered = pages(packet.pdf)
    zone = NUMBER_10_WINDOW.address_zone()
    exposure = NUMBER_10_WINDOW.exposure_zone()
    for page in rendered[:2]:  # cover letter, invoice
        in_window = page.words_in(exposure)
        assert in_window, "nothing shows in the window"
        assert all(zone.contains(w.box) for w in in_window), [w.text for w in in_window]
        assert {"Jordan", "Springfield,", "01105"} <= {w.text for w in in_window}
        # nothing about the contents shows through the window
        assert not any(w.text in (REQUEST, "Zielinski") for w in in_window)
    assert "$40.21" in rendered[1].text  # invoice total


def test_window_area_rendered_with_pdftoppm_holds_only_the_address() -> None:
    packet = build_packet(packet_input(1, with_invoice=False))
    dpi = 72
    image = _render(packet.pdf, 1, dpi)
    zone = NUMBER_10_WINDOW.address_zone()
    exposure = NUMBER_10_WINDOW.exposure_zone()

    def ink(left: float, top: float, right: float, bottom: float) -> int:
        box = (int(left * dpi), int(top * dpi), int(right * dpi), int(bottom * dpi))
        return sum(image.crop(box).histogram()[:128])

    assert ink(zone.left, zone.top, zone.right, zone.bottom) > 50  # the address is there
    # exposure area to the right of the address zone: blank paper
    assert ink(zone.right + 0.05, exposure.top, exposure.right, exposure.bottom) == 0


def test_part2_without_consent_is_refused() -> None:
    data = packet_input(1, part2=True)
    with pytest.raises(ValidationError, match=r"2\.32\(b\)"):
        build_packet(type(data)(**{**data.__dict__, "consent_pdf": None}))


def test_sources_must_match_pages_and_pdf_must_be_readable() -> None:
    data = packet_input(3)
    with pytest.raises(ValidationError, match="3 pages"):
        build_packet(type(data)(**{**data.__dict__, "page_sources": sources(2)}))
    with pytest.raises(DocumentError, match="damaged"):
        build_packet(type(data)(**{**data.__dict__, "released_pdf": b"%PDF-1.4 broken"}))


def test_progress_and_cancel() -> None:
    class Token:
        cancelled = False

    token = Token()
    steps = []
    gen = assemble(packet_input(60), cancel=token)
    with pytest.raises(AssemblyCancelled):
        for done, total, _message in gen:
            steps.append((done, total))
            if done >= 30:
                token.cancelled = True
    assert steps and all(d <= t for d, t in steps)
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_fax_tiff_of_a_packet_is_class_f_g4_at_fax_resolution() -> None:
    packet = build_packet(packet_input(2, fax=True, with_invoice=False))
    tiff = pdf_to_fax_tiff(packet.pdf)
    with Image.open(io.BytesIO(tiff)) as image:
        assert image.n_frames == packet.page_count
        for frame in range(image.n_frames):
            image.seek(frame)
            assert image.mode == "1"
            assert image.width == 1728
            assert image.info["compression"] == "group4"
            assert tuple(round(v) for v in image.info["dpi"]) == (204, 196)
    info = subprocess.run(
        ["tiffinfo", "/dev/stdin"], input=tiff, capture_output=True, check=False
    ).stdout.decode()
    if info:  # libtiff-tools present
        assert "CCITT Group 4" in info and "min-is-white" in info
