"""Page thumbnails rendered from memory (pypdfium2 → QImage): never a temp file (PHI).

``render_thumbnails`` runs in a worker thread (QImage, unlike QPixmap, may be made off the
GUI thread); the tab turns the images into icons on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtGui import QImage

from roi_desk.pdfium_lock import pdfium_serialized

#: thumbnails of a long document stop here: the clerk pages through the preview instead
MAX_THUMBNAILS = 24


@pdfium_serialized
def render_thumbnails(
    pdf: bytes, *, height: int = 150, limit: int = MAX_THUMBNAILS
) -> list[QImage]:
    import pypdfium2 as pdfium

    images: list[QImage] = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(min(len(doc), limit)):
            page = doc[i]
            try:
                _w, h = page.get_size()
                bitmap = page.render(scale=height / h if h else 0.2)
                pil = bitmap.to_pil().convert("RGB")
                data = pil.tobytes("raw", "RGB")
                w, h_px = pil.width, pil.height
                image = QImage(data, w, h_px, 3 * w, QImage.Format.Format_RGB888)
                # copy: the QImage must own its pixels once `data` goes away
                images.append(image.copy())
            finally:
                page.close()
    finally:
        doc.close()
    return images
