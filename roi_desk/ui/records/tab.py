"""The Records tab of the request workspace: the patient's chart and the abstract builder.

Left: the chart index (filters by type, date range and category, done in SQL) with page
thumbnails of the selected document, and the import buttons (FHIR bundle, PDFs; files may
also be dropped on the tab). Right: the abstract builder — the rule summary line, the
chart as a list of check boxes the clerk adjusts, the date range, "Build abstract"
(Ctrl+B) — and the preview of the built release. Long work (import, thumbnails, build)
runs through ``ctx.runner`` off the GUI thread, with a progress bar and Cancel (Esc).

Signals: ``changed()`` — the chart or the request's release set changed (an import, a
sensitivity mark, a build), so other tabs can refresh.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from roi_desk.abstract.selection import AbstractRules
from roi_desk.errors import RoiError
from roi_desk.models.chart import ReleaseKind
from roi_desk.records.kinds import RecordKind, SensitivityCategory
from roi_desk.services import abstract, records
from roi_desk.services.abstract import BuiltRelease, ReleaseDraft
from roi_desk.services.records import ChartFilter, ChartRow, ImportFile, ImportReport, PatientTarget
from roi_desk.ui.context import AppContext
from roi_desk.ui.date_field import DateField
from roi_desk.ui.errors import log_bug
from roi_desk.ui.job import Job
from roi_desk.ui.operations import CancelToken
from roi_desk.ui.records.models import ChartTableModel, SelectionModel, category_label
from roi_desk.ui.records.thumbnails import render_thumbnails

_KIND_CHOICES = (
    ("Abstract", ReleaseKind.ABSTRACT),
    ("Full release (date range)", ReleaseKind.FULL),
    ("Custom selection", ReleaseKind.CUSTOM),
)


def _parse_day(field: DateField) -> date | None:
    """The date typed in ``field`` (None when empty); a clear message when it is not one."""
    problem = field.problem()
    if problem:
        raise RoiError(problem)
    return field.date()


class RecordsTab(QWidget):
    """The Records tab for one request (see the module docstring). Signals: ``changed()``."""

    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        request_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        rules: AbstractRules | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        self.rules = rules or AbstractRules()
        self.patient_id: uuid.UUID | None = None
        self.draft: ReleaseDraft | None = None
        self.built: BuiltRelease | None = None
        self.last_report: ImportReport | None = None
        self._thumb_for: uuid.UUID | None = None
        self._paths: list[Path] = []
        self._mismatched: list[Path] = []
        self._pdf_bytes = QByteArray()
        self._pdf_buffer = QBuffer(self)
        self.setAcceptDrops(True)
        self._build_ui()
        #: imports and builds: one at a time, with progress, Cancel (Esc) and errors
        self.job = Job(
            self,
            ctx.runner,
            progress=self.progress,
            cancel_button=self.cancel_button,
            status=self.status,
            on_busy=self._busy,
        )
        self._wire()
        self.reload()

    # ------------------------------------------------------------------------- layout

    def _build_ui(self) -> None:
        # import bar
        self.import_fhir_button = QPushButton("Import &FHIR bundle…")
        self.import_fhir_button.setToolTip("Import a FHIR R4 export of this patient (Ctrl+I)")
        self.import_pdf_button = QPushButton("Import &PDFs…")
        self.import_pdf_button.setToolTip("Import scanned or sent PDFs (Ctrl+Shift+I)")
        self.pdf_kind = QComboBox()
        self.pdf_kind.addItem("Type: suggest from text", None)
        for k in RecordKind:
            self.pdf_kind.addItem(k.label, k.value)
        self.pdf_date = DateField(empty_text="date of service")
        self.pdf_split = QLineEdit()
        self.pdf_split.setPlaceholderText("split at pages, e.g. 1,4,9")
        self.pdf_split.setMinimumWidth(180)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; nothing is stored (Esc)")
        self.cancel_button.setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.import_fhir_button)
        bar.addWidget(self.import_pdf_button)
        bar.addSpacing(8)
        bar.addWidget(self.pdf_kind)
        bar.addWidget(self.pdf_date)
        bar.addWidget(self.pdf_split)
        bar.addStretch(1)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel_button)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setMaximumHeight(64)
        self.report_view.setVisible(False)
        self.import_anyway_button = QPushButton("Import &anyway")
        self.import_anyway_button.setToolTip(
            "The file names another patient: import it into this chart all the same"
        )
        self.import_anyway_button.setVisible(False)

        # chart index
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("All types", None)
        for k in RecordKind:
            self.kind_filter.addItem(k.label, k.value)
        # one date format on every screen: the site's (MM/DD/YYYY for a US site)
        self.since_filter = DateField(empty_text="from")
        self.until_filter = DateField(empty_text="to")
        self.category_filter = QComboBox()
        self.category_filter.addItem("Any sensitivity", None)
        for c in SensitivityCategory:
            self.category_filter.addItem(category_label(c.value), c.value)
        filters = QHBoxLayout()
        type_label = QLabel("&Type")
        type_label.setBuddy(self.kind_filter)
        filters.addWidget(type_label)
        filters.addWidget(self.kind_filter)
        date_label = QLabel("&Dates")
        date_label.setBuddy(self.since_filter)
        filters.addWidget(date_label)
        filters.addWidget(self.since_filter)
        filters.addWidget(self.until_filter)
        filters.addWidget(self.category_filter)
        filters.addStretch(1)

        self.chart_model = ChartTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.chart_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.count_label = QLabel()

        self.thumbs = QListWidget()
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setFlow(QListView.Flow.LeftToRight)
        self.thumbs.setWrapping(False)
        self.thumbs.setIconSize(QSize(124, 160))
        self.thumbs.setFixedHeight(196)
        self.thumbs.setMovement(QListView.Movement.Static)
        self.thumbs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # grey behind the pages, so a white page stands out as a page
        self.thumbs.setStyleSheet("QListWidget { background: #dcdcdc; }")

        chart_box = QGroupBox("Chart")
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.addLayout(filters)
        chart_layout.addWidget(self.table, 1)
        chart_layout.addWidget(self.count_label)
        chart_layout.addWidget(self.thumbs)

        # abstract builder
        self.release_kind = QComboBox()
        for text, value in _KIND_CHOICES:
            self.release_kind.addItem(text, value)
        self.since_edit = DateField()
        self.until_edit = DateField()
        range_row = QHBoxLayout()
        range_row.addWidget(self.since_edit)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.until_edit)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        form = QFormLayout()
        form.addRow("&Release", self.release_kind)
        range_label = QLabel("Date &range")
        range_label.setBuddy(self.since_edit)
        form.addRow(range_label, range_row)
        self.selection_model = SelectionModel(self)
        self.selection_view = QListView()
        self.selection_view.setModel(self.selection_model)
        self.selection_view.setAlternatingRowColors(True)
        self.selection_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.selection_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.selection_view.setUniformItemSizes(True)
        self.build_button = QPushButton("&Build abstract")
        self.build_button.setToolTip("Assemble the ticked documents into one PDF (Ctrl+B)")
        self.pages_label = QLabel()
        build_row = QHBoxLayout()
        build_row.addWidget(self.pages_label, 1)
        build_row.addWidget(self.build_button)

        builder_box = QGroupBox("Abstract builder")
        builder_layout = QVBoxLayout(builder_box)
        builder_layout.addLayout(form)
        builder_layout.addWidget(self.summary_label)
        builder_layout.addWidget(self.selection_view, 1)
        builder_layout.addLayout(build_row)

        self.preview_doc = QPdfDocument(self)
        self.preview = QPdfView(self)
        self.preview.setDocument(self.preview_doc)
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_label = QLabel("Build the abstract to see it here.")
        preview_box = QGroupBox("Preview")
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_label)
        preview_layout.addWidget(self.preview, 1)
        self.preview.setVisible(False)

        # three panes side by side: the preview needs the height of a page to be useful
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(chart_box)
        split.addWidget(builder_box)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        split.setSizes([620, 370, 410])
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.import_anyway_button)
        layout.addLayout(status_row)
        layout.addWidget(self.report_view)
        layout.addWidget(split, 1)

        for a, b in (
            (self.import_fhir_button, self.import_pdf_button),
            (self.import_pdf_button, self.kind_filter),
            (self.kind_filter, self.since_filter),
            (self.since_filter, self.until_filter),
            (self.until_filter, self.category_filter),
            (self.category_filter, self.table),
            (self.table, self.release_kind),
            (self.release_kind, self.since_edit),
            (self.since_edit, self.until_edit),
            (self.until_edit, self.selection_view),
            (self.selection_view, self.build_button),
        ):
            QWidget.setTabOrder(a, b)

    def _wire(self) -> None:
        self.import_fhir_button.clicked.connect(self._pick_bundles)
        self.import_pdf_button.clicked.connect(self._pick_pdfs)
        self.import_anyway_button.clicked.connect(self._import_anyway)
        self.kind_filter.currentIndexChanged.connect(self.reload_chart)
        self.category_filter.currentIndexChanged.connect(self.reload_chart)
        self.since_filter.editingFinished.connect(self.reload_chart)
        self.until_filter.editingFinished.connect(self.reload_chart)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.release_kind.currentIndexChanged.connect(self._kind_changed)
        self.since_edit.editingFinished.connect(self._range_changed)
        self.until_edit.editingFinished.connect(self._range_changed)
        self.selection_model.toggled.connect(self._toggled)
        self.build_button.clicked.connect(self.build)
        for keys, slot in (
            ("Ctrl+B", self.build),
            ("Ctrl+I", self._pick_bundles),
            ("Ctrl+Shift+I", self._pick_pdfs),
            ("Esc", self.cancel),
        ):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    # ------------------------------------------------------------------------- loading

    def reload(self) -> None:
        """Load the request's draft (rule selection over the whole chart) and the index."""

        # the worker gets plain values, never the widget (ui/operations.py)
        ctx, request_id, rules = self.ctx, self.request_id, self.rules

        def load(_token: CancelToken) -> ReleaseDraft:
            return ctx.call(lambda s, _u: abstract.start_draft(s, request_id, rules=rules))

        self.ctx.runner.start(load, success=self._draft_loaded, failure=self._no_draft, owner=self)

    def _no_draft(self, exc: BaseException) -> None:
        self._set_enabled(False)
        self._failed(exc)

    def _draft_loaded(self, draft: ReleaseDraft) -> None:
        first = self.patient_id is None
        self.patient_id = draft.request.patient_id
        if self.draft is not None:
            # keep the clerk's choices over the refreshed chart
            draft = self.draft.with_chart(draft.chart)
        self._show_draft(draft)
        self._set_enabled(True)
        if first:
            self.reload_chart()

    def _set_enabled(self, on: bool) -> None:
        for w in (
            self.import_fhir_button,
            self.import_pdf_button,
            self.build_button,
            self.release_kind,
            self.since_edit,
            self.until_edit,
        ):
            w.setEnabled(on)

    def current_filter(self) -> ChartFilter:
        # combo data are the stored strings (Qt hands enums back as plain str)
        kind = self.kind_filter.currentData()
        category = self.category_filter.currentData()
        return ChartFilter(
            kinds=frozenset({RecordKind(kind)}) if kind else frozenset(),
            since=_parse_day(self.since_filter),
            until=_parse_day(self.until_filter),
            category=SensitivityCategory(category) if category else None,
        )

    def reload_chart(self) -> None:
        if self.patient_id is None:
            return
        try:
            flt = self.current_filter()
        except RoiError as exc:
            self._say(str(exc), error=True)
            return
        ctx, patient_id = self.ctx, self.patient_id

        def load(_token: CancelToken) -> list[ChartRow]:
            return ctx.call(lambda s, _u: records.list_chart(s, patient_id, flt))

        self.ctx.runner.start(load, success=self._chart_loaded, failure=self._failed, owner=self)

    def _chart_loaded(self, rows: list[ChartRow]) -> None:
        current = self._current_row()
        self.chart_model.set_rows(rows)
        pages = sum(r.page_count for r in rows)
        review = sum(1 for r in rows if r.needs_review)
        text = f"{len(rows)} documents, {pages} pages"
        if review:
            text += f" — {review} to check (⚑: type or date suggested, not confirmed)"
        self.count_label.setText(text)
        row = self.chart_model.row_of(current.id) if current else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.thumbs.clear()

    def _current_row(self) -> ChartRow | None:
        idx = self.table.currentIndex()
        return self.chart_model.row_at(idx.row()) if idx.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.chart_model.row_at(current.row()) if current.isValid() else None
        if row is None or row.id == self._thumb_for:
            return
        self._thumb_for = row.id
        ctx, doc_id = self.ctx, row.id

        def render(_token: CancelToken) -> tuple[uuid.UUID, list[QImage]]:
            pdf = ctx.call(lambda s, _u: records.chart_pdf(s, doc_id))
            return doc_id, render_thumbnails(pdf, height=320)

        self.ctx.runner.start(render, success=self._thumbs_ready, failure=self._failed, owner=self)

    def _thumbs_ready(self, result: tuple[uuid.UUID, list[QImage]]) -> None:
        doc_id, images = result
        if doc_id != self._thumb_for:
            return  # the clerk moved on to another document meanwhile
        self.thumbs.clear()
        for n, image in enumerate(images, start=1):
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), f"p. {n}")
            self.thumbs.addItem(item)

    # ------------------------------------------------------------------------- the draft

    def _show_draft(self, draft: ReleaseDraft) -> None:
        self.draft = draft
        self.selection_model.set_draft(draft)
        idx = next(i for i, (_t, v) in enumerate(_KIND_CHOICES) if v == draft.kind)
        if self.release_kind.currentIndex() != idx:
            self.release_kind.blockSignals(True)
            self.release_kind.setCurrentIndex(idx)
            self.release_kind.blockSignals(False)
        self.since_edit.set_date(draft.since)
        self.until_edit.set_date(draft.until)
        self.since_edit.setEnabled(draft.kind != ReleaseKind.CUSTOM)
        self.until_edit.setEnabled(draft.kind != ReleaseKind.CUSTOM)
        self.summary_label.setText(draft.summary)
        n = len(draft.selected)
        self.pages_label.setText(
            f"{n} document{'s' if n != 1 else ''} ticked · {draft.page_count} pages"
        )
        self.pages_label.setToolTip("Page count of the release, with its cover and contents")
        self.build_button.setText(
            "&Build abstract" if draft.kind == ReleaseKind.ABSTRACT else "&Build release"
        )

    def _kind_changed(self, index: int) -> None:
        if self.draft is None:
            return
        self._show_draft(self.draft.with_kind(_KIND_CHOICES[index][1]))

    def _range_changed(self) -> None:
        if self.draft is None:
            return
        try:
            since = _parse_day(self.since_edit)
            until = _parse_day(self.until_edit)
            self._show_draft(self.draft.with_range(since, until))
        except RoiError as exc:
            self._say(str(exc), error=True)

    def _toggled(self, chart_document_id: uuid.UUID, included: bool) -> None:
        if self.draft is not None:
            self._show_draft(self.draft.with_document(chart_document_id, included))

    # ------------------------------------------------------------------------- import

    def _pick_bundles(self) -> None:
        if not self.import_fhir_button.isEnabled():
            return
        names, _ = QFileDialog.getOpenFileNames(
            self, "Import FHIR bundle", "", "FHIR bundles (*.json);;All files (*)"
        )
        if names:
            self.import_paths([Path(n) for n in names])

    def _pick_pdfs(self) -> None:
        if not self.import_pdf_button.isEnabled():
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Import PDFs", "", "PDF files (*.pdf)")
        if names:
            self.import_paths([Path(n) for n in names])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls) and self.import_pdf_button.isEnabled():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def import_paths(self, paths: list[Path], *, accept_mismatch: bool = False) -> None:
        """Import the files into this request's patient's chart (in a worker)."""
        if self.patient_id is None or self.job.busy:
            return
        try:
            kind = RecordKind(self.pdf_kind.currentData()) if self.pdf_kind.currentData() else None
            day = _parse_day(self.pdf_date)
            split = self.pdf_split.text().replace(" ", "")
            bounds = tuple(int(x) for x in split.split(",") if x) if split else None
        except ValueError:
            self._say("Split pages are page numbers separated by commas, e.g. 1,4,9.", error=True)
            return
        except RoiError as exc:
            self._say(str(exc), error=True)
            return
        target = PatientTarget(patient_id=self.patient_id, accept_mismatch=accept_mismatch)
        ctx = self.ctx

        def op(token: CancelToken) -> Any:
            files = []
            for p in paths:
                try:
                    data = p.read_bytes()
                except OSError as exc:
                    raise RoiError(f"The file {p.name} cannot be read ({exc.strerror}).") from None
                files.append(ImportFile(p.name, data, None, bounds, kind, day))
            return records.import_files(
                ctx.db, files, target, user_id=ctx.user_id, cancel=lambda: token.cancelled
            )

        self._paths = paths
        self.import_anyway_button.setVisible(False)
        self._start(op, self._imported, "Importing…")

    def _imported(self, report: ImportReport) -> None:
        self.last_report = report
        lines = report.lines()
        mismatch = [f for f in report.failed if f.bundle_patient]
        if mismatch:
            lines.insert(
                0,
                "The file's patient is "
                + "; ".join(f.bundle_patient for f in mismatch)
                + " — not this request's patient. Nothing from that file was imported.",
            )
        self._mismatched = [p for p in self._paths if p.name in {f.source_name for f in mismatch}]
        self.import_anyway_button.setVisible(bool(self._mismatched))
        self.report_view.setPlainText("\n".join(lines))
        self.report_view.setVisible(bool(lines))
        self._say(report.summary(), error=bool(report.failed) and not report.imported)
        if report.imported:
            self.changed.emit()
        self.reload()
        self.reload_chart()

    def _import_anyway(self) -> None:
        paths, self._mismatched = self._mismatched, []
        self.import_anyway_button.setVisible(False)
        if paths:
            self.import_paths(paths, accept_mismatch=True)

    # ------------------------------------------------------------------------- build

    def build(self) -> None:
        if self.draft is None or self.job.busy or not self.build_button.isEnabled():
            return
        draft, ctx = self.draft, self.ctx
        if not draft.selected:
            self._say("Tick at least one document to release.", error=True)
            return

        def op(token: CancelToken) -> Any:
            return abstract.assemble(
                ctx.db, draft, user_id=ctx.user_id, cancel=lambda: token.cancelled
            )

        self._start(op, self._built, "Building…")

    def _built(self, built: BuiltRelease | None) -> None:
        if built is None:
            self._say("Cancelled: nothing was stored.")
            return
        self.built = built
        self.show_preview(built.pdf)
        self.preview_label.setText(
            f"{built.page_count} pages · {built.document_count} documents · stored"
        )
        self.preview_label.setToolTip(built.summary)
        self._say(f"Release built and stored: {built.page_count} pages.")
        self.changed.emit()

    def show_preview(self, pdf: bytes) -> None:
        """Show a PDF from memory (a QBuffer over the bytes: no temp file)."""
        self.preview_doc.close()
        self._pdf_buffer.close()
        self._pdf_bytes = QByteArray(pdf)
        self._pdf_buffer.setData(self._pdf_bytes)
        self._pdf_buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.preview_doc.load(self._pdf_buffer)
        self.preview.setVisible(True)

    # ------------------------------------------------------------------------- running

    def _start(self, op: Any, success: Any, message: str) -> None:
        self.job.start(
            op,
            success=success,
            failure=self._failed,
            label=message,
            cancelled_message="Cancelled: nothing was stored.",
        )

    def cancel(self) -> None:
        self.job.cancel()

    def _busy(self, busy: bool) -> None:
        # the Job shows progress and Cancel; the tab hides them when idle and locks its
        # inputs while an import or a build runs
        self.status.setStyleSheet("")
        self.cancel_button.setVisible(busy)
        self._set_enabled(not busy and self.patient_id is not None)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, RoiError):
            self._say(str(exc), error=True)
            return
        log_bug(type(exc), exc, exc.__traceback__)
        self._say("Something went wrong inside ROI Desk; the details are in the log.", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")
