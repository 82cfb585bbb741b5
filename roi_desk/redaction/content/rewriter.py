"""The content-stream interpreter: walks the operators with their state and hands each
kind of content to its part (:mod:`.text`, :mod:`.paths`, :mod:`.images`,
:mod:`.patterns`); Form XObjects and marked content are handled here."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import pikepdf

from roi_desk.redaction.content.geometry import IDENTITY, Matrix, hits, mul, transform_rect
from roi_desk.redaction.content.images import Images
from roi_desk.redaction.content.operands import NeedsRaster, floats, instruction
from roi_desk.redaction.content.paths import Paths
from roi_desk.redaction.content.patterns import Patterns, detailed_shading, shading_area
from roi_desk.redaction.content.resources import Resources, inherited_resources
from roi_desk.redaction.content.state import MAX_FORM_DEPTH, State
from roi_desk.redaction.content.text import TextRuns

_MARKED_TEXT_KEYS = ("/ActualText", "/Alt", "/E")

_PATH_BUILD = frozenset(("m", "l", "c", "v", "y", "h", "re"))


class Rewriter(TextRuns, Paths, Images, Patterns):
    """Rewrites content streams of one document against the boxes of one page."""

    # -- entry points --------------------------------------------------------------------
    def rewrite_page(self, page: pikepdf.Page) -> tuple[bytes, Resources]:
        """New content for ``page`` (not yet attached) and its resources to commit."""
        try:
            instructions = pikepdf.parse_content_stream(page)
        except pikepdf.PdfError as exc:
            raise NeedsRaster("the page content could not be read") from exc
        res = Resources(page.obj, inherited_resources(page.obj))
        out, depth = self._rewrite(instructions, res, IDENTITY, 0)
        body = pikepdf.unparse_content_stream(out)
        # The original content is wrapped in q/Q so that whatever state it leaves behind
        # (a scaled CTM, an open text object) cannot move the boxes painted afterwards.
        return b"q\n" + body + b"\n" + b"Q\n" * depth + b"Q\n", res

    # -- the interpreter -----------------------------------------------------------------
    def _rewrite(
        self, instructions: Sequence[Any], res: Resources, ctm: Matrix, level: int
    ) -> tuple[list[Any], int]:
        boxes = self.boxes
        out: list[Any] = []
        stack: list[State] = []
        st = State(ctm)
        tm: Matrix = IDENTITY
        tlm: Matrix = IDENTITY
        path: list[Any] = []  # instructions building the current path
        clip_op: Any = None
        scn_at: list[tuple[int, str, str]] = []  # where a pattern is selected
        for inst in instructions:
            if isinstance(inst, pikepdf.ContentStreamInlineImage):
                if path:
                    path = []
                r = transform_rect(st.ctm, 0.0, 0.0, 1.0, 1.0)
                if hits(r, boxes):
                    # rewritten like an image XObject (fax strips of inline images)
                    out.append(instruction([self._redact_inline(inst, res, st.ctm)], "Do"))
                else:
                    out.append(inst)
                continue
            op = str(inst.operator)
            # path construction first: on drawings it is nearly every operator
            if op in _PATH_BUILD:
                path.append(inst)
                continue
            operands = inst.operands
            # ---- text showing -----------------------------------------------------------
            if op in ("Tj", "TJ", "'", '"'):
                if op == "'" or op == '"':
                    if op == '"':
                        vals = floats(operands[:2])
                        st.tw, st.tc = vals[0], vals[1]
                    tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -st.tl), tlm)
                    tm = tlm
                    items: list[Any] = [operands[-1]]
                elif op == "Tj":
                    items = [operands[0]] if operands else []
                else:
                    arr = operands[0] if operands else []
                    items = list(arr) if isinstance(arr, pikepdf.Array | list) else []
                if st.fill_pattern is not None:
                    self._pattern_under_text(items, st, tm, res, ctm, level)
                new_items, adv_x, adv_y = self._show(items, st, tm)
                if new_items is None:
                    out.append(inst)
                else:
                    if op == '"':
                        out.append(instruction([operands[0]], "Tw"))
                        out.append(instruction([operands[1]], "Tc"))
                    if op in ("'", '"'):
                        out.append(instruction([], "T*"))
                    out.append(instruction([pikepdf.Array(new_items)], "TJ"))
                tm = mul((1.0, 0.0, 0.0, 1.0, adv_x, adv_y), tm)
                continue
            # ---- text state and positioning --------------------------------------------
            if op == "Tf":
                if len(operands) >= 2:
                    font_obj = res.get("/Font", operands[0])
                    metrics = self._font(font_obj)
                    if isinstance(metrics, str):
                        st.font, st.font_error = None, metrics
                    else:
                        st.font, st.font_error = metrics, None
                    st.fs = floats(operands[1:2])[0]
            elif op == "Td" or op == "TD":
                tx, ty = floats(operands[:2])
                if op == "TD":
                    st.tl = -ty
                tlm = mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
                tm = tlm
            elif op == "Tm":
                vals = floats(operands[:6])
                tlm = tm = (vals[0], vals[1], vals[2], vals[3], vals[4], vals[5])
            elif op == "T*":
                tlm = mul((1.0, 0.0, 0.0, 1.0, 0.0, -st.tl), tlm)
                tm = tlm
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tc":
                st.tc = floats(operands[:1])[0]
            elif op == "Tw":
                st.tw = floats(operands[:1])[0]
            elif op == "Tz":
                st.th = floats(operands[:1])[0] / 100.0
            elif op == "TL":
                st.tl = floats(operands[:1])[0]
            elif op == "Ts":
                st.rise = floats(operands[:1])[0]
            # ---- graphics state ---------------------------------------------------------
            elif op == "q":
                stack.append(st.copy())
            elif op == "Q":
                if not stack:
                    continue  # an unbalanced Q would pop the wrapper we add around the page
                st = stack.pop()
            elif op == "cm":
                vals = floats(operands[:6])
                st.ctm = mul((vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]), st.ctm)
            # ---- paths ----------------------------------------------------------------
            elif op in ("W", "W*"):
                clip_op = inst
                continue
            elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
                patterned = st.fill_pattern is not None or st.stroke_pattern is not None
                if (
                    op != "n"
                    and patterned
                    and self._patterns_under_path(path, inst, st, res, ctm, level)
                ):
                    # a shading pattern that can draw detail reaches a box: the paint goes
                    # (its clip stays)
                    inst = instruction([], "n")
                out.extend(self._paint_path(path, clip_op, inst, st.ctm))
                path, clip_op = [], None
                continue
            elif op in ("scn", "SCN"):
                name = operands[-1] if operands else None
                pattern = name if isinstance(name, pikepdf.Name) else None
                if op == "scn":
                    st.fill_pattern = pattern
                else:
                    st.stroke_pattern = pattern
                if pattern is not None:
                    scn_at.append((len(out), str(pattern), op))
            elif op in ("g", "rg", "k", "sc", "cs"):
                st.fill_pattern = None
            elif op in ("G", "RG", "K", "SC", "CS"):
                st.stroke_pattern = None
            elif op == "gs":
                if operands:
                    self._soft_mask(operands[0], res, st.ctm, level)
            # ---- XObjects and marked content ---------------------------------------------
            elif op == "Do":
                if operands:
                    out.append(self._do(operands[0], res, st.ctm, level, inst))
                continue
            elif op == "BDC":
                out.append(self._strip_marked(inst, res))
                continue
            elif op == "sh":
                shading = res.get("/Shading", operands[0]) if operands else None
                if detailed_shading(shading) and hits(shading_area(shading, st.ctm), boxes):
                    # a mesh or sampled shading can draw anything (even letters); under a
                    # box it is removed rather than painted over
                    self.shadings_removed += 1
                    res.dropped_shadings.add(str(operands[0]))
                    continue
                if operands:
                    res.kept_shadings.add(str(operands[0]))
            out.append(inst)
        # a shading pattern removed under a box and used nowhere else goes from the
        # resources; the colour operators that selected it select black instead
        gone = res.dropped_patterns - res.kept_patterns
        for i, name, op in scn_at:
            if name in gone:
                out[i] = instruction([0], "g" if op == "scn" else "G")
        return out, len(stack)

    # -- XObjects ------------------------------------------------------------------------
    def _do(self, name: Any, res: Resources, ctm: Matrix, level: int, inst: Any) -> Any:
        xobj = res.get("/XObject", name)
        if not isinstance(xobj, pikepdf.Stream):
            return inst
        new = self._do_xobject(xobj, res, ctm, level)
        if new is None:
            res.used.add(str(name))
            return inst
        res.replaced.add(str(name))
        return instruction([new], "Do")

    def _do_xobject(
        self, xobj: pikepdf.Stream, res: Resources, ctm: Matrix, level: int
    ) -> pikepdf.Name | None:
        subtype = str(xobj.get("/Subtype", ""))
        if subtype == "/Image":
            r = transform_rect(ctm, 0.0, 0.0, 1.0, 1.0)
            if not hits(r, self.boxes):
                return None
            new_img = self._redact_image(xobj, ctm)
            return res.add_xobject(new_img, "RdIm")
        if subtype == "/Form":
            matrix = IDENTITY
            if "/Matrix" in xobj:
                m = floats(list(xobj.Matrix))
                if len(m) == 6:
                    matrix = (m[0], m[1], m[2], m[3], m[4], m[5])
            form_ctm = mul(matrix, ctm)
            bbox = floats(list(xobj.get("/BBox", [])))
            if len(bbox) == 4:
                r = transform_rect(form_ctm, *bbox)
                if not hits(r, self.boxes):
                    return None
            if level >= MAX_FORM_DEPTH:
                raise NeedsRaster("Form XObjects nested too deeply")
            new_form = self._rewrite_form(xobj, res, form_ctm, level + 1)
            return res.add_xobject(new_form, "RdFm")
        return None

    def _rewrite_form(
        self, form: pikepdf.Stream, parent: Resources, ctm: Matrix, level: int
    ) -> pikepdf.Stream:
        try:
            instructions = pikepdf.parse_content_stream(form)
        except pikepdf.PdfError as exc:
            raise NeedsRaster("a Form XObject could not be read") from exc
        own = form.get("/Resources")
        new_form = self.pdf.make_stream(b"")
        for key, value in form.items():
            if key not in ("/Length", "/Filter", "/DecodeParms", "/Resources"):
                new_form[key] = value
        if isinstance(own, pikepdf.Dictionary):
            res = Resources(new_form, own)
            new_form["/Resources"] = own
        else:
            res = Resources(new_form, parent.copy if parent.copy is not None else parent.original)
            if res.original is not None:
                new_form["/Resources"] = res.original
        out, depth = self._rewrite(instructions, res, ctm, level)
        body = pikepdf.unparse_content_stream(out) + b"\nQ" * depth
        new_form.write(zlib.compress(body, 6), filter=pikepdf.Name.FlateDecode)
        res.commit()
        self.forms_rewritten += 1
        return new_form

    # -- marked content ------------------------------------------------------------------
    def _strip_marked(self, inst: Any, res: Resources) -> Any:
        operands = list(inst.operands)
        if len(operands) < 2:
            return inst
        props = operands[1]
        if isinstance(props, pikepdf.Name):
            if str(operands[0]) == "/OC":
                return inst
            props = res.get("/Properties", props)
        if not isinstance(props, pikepdf.Dictionary):
            return inst
        if not any(k in props for k in _MARKED_TEXT_KEYS):
            return inst
        clean = pikepdf.Dictionary({k: v for k, v in props.items() if k not in _MARKED_TEXT_KEYS})
        return instruction([operands[0], clean], "BDC")
