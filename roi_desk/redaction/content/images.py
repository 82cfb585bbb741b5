"""Images (XObjects and inline): blank the covered pixels in a re-encoded copy."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from typing import Any

import pikepdf
from PIL import Image, ImageDraw

from roi_desk.redaction.content.geometry import Matrix, invert
from roi_desk.redaction.content.operands import NeedsRaster
from roi_desk.redaction.content.resources import Resources
from roi_desk.redaction.content.state import RewriterBase
from roi_desk.redaction.model import Rect


class Images(RewriterBase):
    """An image under a box is decoded, blanked there, and replaced by a copy."""

    # -- images --------------------------------------------------------------------------
    def _redact_image(self, image: pikepdf.Stream, ctm: Matrix) -> pikepdf.Stream:
        inv = invert(ctm)
        if inv is None:
            raise NeedsRaster("an image with a degenerate placement lies under a box")
        try:
            pdf_image = pikepdf.PdfImage(image)
            pil = pdf_image.as_pil_image()
        except Exception as exc:  # any decoder failure means: rasterize
            raise NeedsRaster("an image under a box could not be decoded") from exc
        is_mask = bool(image.get("/ImageMask", False))
        pil = _editable(pil, is_mask)
        _blank_region(pil, inv, self.boxes, fill=1 if is_mask else 0)
        new = _encode_image(self.pdf, pil, image, is_mask)
        smask = image.get("/SMask")
        if isinstance(smask, pikepdf.Stream):
            try:
                mask_pil = _editable(pikepdf.PdfImage(smask).as_pil_image(), False)
            except Exception as exc:  # same reason as above
                raise NeedsRaster("an image mask under a box could not be decoded") from exc
            _blank_region(mask_pil, inv, self.boxes, fill=0)
            new["/SMask"] = _encode_image(self.pdf, mask_pil.convert("L"), smask, False)
        self.images_redacted += 1
        return new

    def _redact_inline(self, inst: Any, res: Resources, ctm: Matrix) -> pikepdf.Name:
        inv = invert(ctm)
        if inv is None:
            raise NeedsRaster("an inline image with a degenerate placement lies under a box")
        iimage = inst.iimage
        try:
            pil = iimage.as_pil_image()
            is_mask = bool(iimage.image_mask)
        except Exception as exc:  # any decoder failure means: rasterize
            raise NeedsRaster("an inline image under a box could not be decoded") from exc
        pil = _editable(pil, is_mask)
        _blank_region(pil, inv, self.boxes, fill=1 if is_mask else 0)
        new = _encode_image(self.pdf, pil, None, is_mask)
        self.images_redacted += 1
        return res.add_xobject(new, "RdIm")


def _editable(pil: Image.Image, is_mask: bool) -> Image.Image:
    if is_mask:
        return pil.convert("1")
    if pil.mode in ("L", "RGB", "CMYK"):
        return pil
    if pil.mode in ("1",):
        return pil.convert("L")
    if pil.mode in ("LA", "I", "I;16", "F"):
        return pil.convert("L")
    return pil.convert("RGB")


def _blank_region(pil: Image.Image, inv: Matrix, boxes: Sequence[Rect], fill: int) -> None:
    """Set every pixel that a box covers (plus one pixel of margin) to ``fill``."""
    w, h = pil.size
    draw = ImageDraw.Draw(pil)
    color: Any = fill if pil.mode in ("L", "1") else tuple([fill] * len(pil.getbands()))
    for b in boxes:
        corners = [(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]
        poly = []
        for x, y in corners:
            u = x * inv[0] + y * inv[2] + inv[4]
            v = x * inv[1] + y * inv[3] + inv[5]
            poly.append((u * w, (1.0 - v) * h))
        xs = [p[0] for p in poly]
        ys = [p[1] for p in poly]
        if max(xs) < -1 or min(xs) > w + 1 or max(ys) < -1 or min(ys) > h + 1:
            continue
        draw.polygon(poly, fill=color, outline=color, width=2)


def _encode_image(
    pdf: pikepdf.Pdf, pil: Image.Image, original: pikepdf.Stream | None, is_mask: bool
) -> pikepdf.Stream:
    new = pdf.make_stream(b"")
    for key in ("/Interpolate", "/Intent", "/Decode"):
        if original is not None and key in original and (is_mask or key != "/Decode"):
            new[key] = original[key]
    new["/Type"] = pikepdf.Name.XObject
    new["/Subtype"] = pikepdf.Name.Image
    new["/Width"] = pil.size[0]
    new["/Height"] = pil.size[1]
    if is_mask:
        new["/ImageMask"] = True
        new["/BitsPerComponent"] = 1
        new.write(zlib.compress(pil.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
        return new
    new["/BitsPerComponent"] = 8
    new["/ColorSpace"] = pikepdf.Name(
        {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}[pil.mode]
    )
    filt = original.get("/Filter") if original is not None else None
    if filt == pikepdf.Name.DCTDecode and pil.mode in ("L", "RGB"):
        # photographs and scans stay JPEG so the release does not balloon in size
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=90)
        new.write(buf.getvalue(), filter=pikepdf.Name.DCTDecode)
    else:
        new.write(zlib.compress(pil.tobytes(), 6), filter=pikepdf.Name.FlateDecode)
    return new
