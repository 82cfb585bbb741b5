"""Render resources/icons/roi-desk.svg to the PNG (Linux) and ICO (Windows) icons.

    QT_QPA_PLATFORM=offscreen python installer/render-icons.py

Uses QtSvg (part of PySide6-Essentials) and Pillow, both already dependencies of ROI Desk.
The rendered files are kept in the repository so a Windows build needs no rendering step.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(data.data()))).convert("RGBA")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "roi-desk.svg"))
    if not renderer.isValid():
        print("roi-desk.svg could not be read", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in SIZES}
    images[256].save(ICONS / "roi-desk.png", optimize=True)
    images[48].save(ICONS / "roi-desk-48.png", optimize=True)
    images[256].save(
        ICONS / "roi-desk.ico",
        sizes=[(s, s) for s in SIZES],
        append_images=[images[s] for s in SIZES if s != 256],
    )
    print(f"wrote {', '.join(p.name for p in sorted(ICONS.glob('roi-desk*')))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
