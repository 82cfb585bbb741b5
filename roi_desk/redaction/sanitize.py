"""Remove the hidden places where PHI survives a visual redaction.

A redacted page is not enough: the same words may sit in the document information,
XMP metadata, bookmarks, attachments, form values, annotation pop-ups, structure-tree
alternate text, page-piece data, thumbnails, scripts, hidden layers or an earlier
revision of the file. :func:`prepare` flattens what is visible into page content before
the boxes are applied (so it is redacted like the rest); :func:`sanitize` then removes the
rest. The file is always written anew (never as an incremental update), which drops
earlier revisions and unreferenced objects.
"""

from __future__ import annotations

import io

import pikepdf

#: catalog entries that hold document-level data or behaviour a release must not carry
_CATALOG_KEYS = (
    "/Metadata",
    "/Outlines",
    "/Names",  # EmbeddedFiles, JavaScript, named destinations
    "/Dests",
    "/OpenAction",
    "/AA",
    "/AcroForm",  # field values, default values, XFA
    "/AF",  # PDF 2.0 associated files
    "/PieceInfo",
    "/Threads",
    "/SpiderInfo",
    "/Collection",
    "/URI",
    "/Perms",
    "/Legal",
    "/PageLabels",
)
#: keys removed from every page
_PAGE_KEYS = ("/Annots", "/AA", "/PieceInfo", "/Thumb", "/Metadata", "/AF", "/B", "/Trans")
#: keys removed from every dictionary and stream in the file
_ANYWHERE_KEYS = ("/Metadata", "/PieceInfo", "/AF", "/AA", "/OpenAction", "/JS", "/Thumb")
_STRUCT_TEXT_KEYS = ("/Alt", "/ActualText", "/E", "/T")


def prepare(pdf: pikepdf.Pdf) -> list[str]:
    """Turn visible annotation and form-field appearances into page content.

    After this, what a reader saw on the page (stamps, typed-in field values, FreeText
    notes) is ordinary content that the boxes redact; the annotation objects themselves
    are then removed by :func:`sanitize`.
    """
    actions: list[str] = []
    has_annots = any("/Annots" in p.obj for p in pdf.pages)
    if "/AcroForm" in pdf.Root:
        try:
            pdf.generate_appearance_streams()
        except (pikepdf.PdfError, RuntimeError, ValueError):
            actions.append("form field appearances could not be regenerated")
    if has_annots:
        try:
            pdf.flatten_annotations("all")
            actions.append("annotation appearances flattened into page content")
        except (pikepdf.PdfError, RuntimeError, ValueError):
            actions.append("annotations could not be flattened and were removed")
    return actions


def hidden_ocgs(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """Object ids of optional-content groups switched off in the default configuration."""
    ocp = pdf.Root.get("/OCProperties")
    if not isinstance(ocp, pikepdf.Dictionary):
        return set()
    d = ocp.get("/D")
    all_groups = [g for g in ocp.get("/OCGs", []) if isinstance(g, pikepdf.Dictionary)]
    hidden: set[tuple[int, int]] = set()
    if isinstance(d, pikepdf.Dictionary):
        if str(d.get("/BaseState", "/ON")) == "/OFF":
            hidden = {g.objgen for g in all_groups}
            for g in d.get("/ON", []):
                hidden.discard(g.objgen)
        for g in d.get("/OFF", []):
            if isinstance(g, pikepdf.Dictionary):
                hidden.add(g.objgen)
    return hidden


#: the only keys a released file's optional-content configuration keeps
OC_KEYS = frozenset({"/OCGs", "/D"})
OC_CONFIG_KEYS = frozenset({"/BaseState", "/OFF"})
OCG_KEYS = frozenset({"/Type", "/Name"})


def scrub_optional_content(pdf: pikepdf.Pdf) -> str | None:
    """Keep hidden layers hidden, and nothing else of the configuration.

    Content in a hidden layer outside the boxes stays in the page (issue 14: no page
    becomes a picture for it); dropping the configuration would make it visible in the
    release. So only which groups are off survives: layer names (which may name a
    patient), intents, usage (print/view/export states), alternate configurations,
    ordering and locking go, each group renamed ``Layer n``.
    """
    hidden = hidden_ocgs(pdf)
    ocp = pdf.Root.get("/OCProperties")
    if not hidden or not isinstance(ocp, pikepdf.Dictionary):
        if "/OCProperties" in pdf.Root:
            del pdf.Root["/OCProperties"]
        return None
    groups = [g for g in ocp.get("/OCGs", []) if isinstance(g, pikepdf.Dictionary)]
    off = []
    for n, group in enumerate(groups, start=1):
        for key in list(group.keys()):
            if key not in OCG_KEYS:
                del group[key]
        group["/Type"] = pikepdf.Name.OCG
        group["/Name"] = pikepdf.String(f"Layer {n}")
        if group.objgen in hidden:
            off.append(group)
    pdf.Root["/OCProperties"] = pikepdf.Dictionary(
        {
            "/OCGs": pikepdf.Array(groups),
            "/D": pikepdf.Dictionary({"/BaseState": pikepdf.Name.ON, "/OFF": pikepdf.Array(off)}),
        }
    )
    return f"{len(off)} hidden layer(s) kept hidden; layer names and settings removed"


def sanitize(pdf: pikepdf.Pdf) -> list[str]:
    """Remove document-level data, scripts and hidden data; return what was done."""
    actions: list[str] = []
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
        actions.append("document information removed")
    kept_layers = scrub_optional_content(pdf)
    if kept_layers:
        actions.append(kept_layers)
    root = pdf.Root
    for key in _CATALOG_KEYS:
        if key in root:
            del root[key]
            actions.append(f"catalog {key[1:]} removed")
    # resources a page lists but never draws are invisible yet still in the file
    pdf.remove_unreferenced_resources()
    for page in pdf.pages:
        for key in _PAGE_KEYS:
            if key in page.obj:
                del page.obj[key]
    struct = root.get("/StructTreeRoot")
    stripped = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in _ANYWHERE_KEYS:
            if key in obj:
                del obj[key]
                stripped += 1
        if isinstance(obj, pikepdf.Dictionary) and _is_struct_elem(obj):
            for key in _STRUCT_TEXT_KEYS:
                if key in obj:
                    del obj[key]
                    stripped += 1
        if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name("/Launch")):
            for key in ("/JS", "/F", "/Win"):
                if key in obj:
                    del obj[key]
    if struct is not None:
        actions.append("structure-tree alternate and actual text removed")
    if stripped:
        actions.append(f"{stripped} hidden entries removed (metadata, scripts, page data)")
    actions.append("annotations, form fields and page thumbnails removed")
    return actions


def _is_struct_elem(obj: pikepdf.Dictionary) -> bool:
    t = obj.get("/Type")
    if t == pikepdf.Name("/StructElem"):
        return True
    return "/S" in obj and "/P" in obj and ("/K" in obj or "/Pg" in obj)


def write_fresh(pdf: pikepdf.Pdf) -> bytes:
    """Write a new file in memory: only reachable objects, one revision, no encryption."""
    buf = io.BytesIO()
    pdf.save(
        buf,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        encryption=False,
        fix_metadata_version=False,
        deterministic_id=True,
    )
    return buf.getvalue()
