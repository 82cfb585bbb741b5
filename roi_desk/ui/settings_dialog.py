"""Site settings (administrators): the letterhead, the fee schedules with their effective
dates, payment and target settings, and the letter wording.

Every rule is the core's (``roi_desk.services.settings``): who may save, what a valid
schedule or template is. This dialog edits copies; Save hands them to the service in one
transaction, and a refusal is shown with the edits left in place (nothing is lost).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from roi_desk.auth.permissions import Permission
from roi_desk.errors import ValidationError
from roi_desk.fees import FeeSettings
from roi_desk.models import User
from roi_desk.services import settings as site_settings
from roi_desk.ui.context import AppContext
from roi_desk.ui.errors import show_error
from roi_desk.ui.packet.packet_tab import data_folder
from roi_desk.ui.widgets import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

#: (JSON key, header) of the fee table's columns
FEE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "Code"),
    ("name", "Name"),
    ("method", "Method"),
    ("applies_to", "Requester types"),
    ("effective_from", "Effective from"),
    ("effective_to", "Effective to"),
    ("base_fee", "Base fee"),
    ("per_page_tier1", "Per page 1–100"),
    ("per_page_over", "Per page over 100"),
    ("flat_electronic", "Flat fee"),
)
_AMOUNTS = {"base_fee", "per_page_tier1", "per_page_over"}
_OPTIONAL = {"effective_to", "flat_electronic"}

#: the letterhead fields: (JSON key, label); address lines and payment text are multi-line
SITE_FIELDS: tuple[tuple[str, str], ...] = (
    ("facility_name", "Facility name"),
    ("department", "Department"),
    ("unit", "Office"),
    ("phone", "Phone"),
    ("fax", "Fax"),
    ("email", "Email"),
    ("hours", "Hours"),
    ("payable_to", "Checks payable to"),
)
OFFICER_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Privacy officer"),
    ("phone", "Privacy officer phone"),
    ("email", "Privacy officer email"),
)


def _first_of_next_month(today: dt.date) -> dt.date:
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


class FeeScheduleModel(RowsTableModel):
    """The schedule versions in their JSON shape, one row each, edited as text."""

    COLUMNS = tuple(label for _key, label in FEE_COLUMNS)

    def __init__(self, rows: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = copy.deepcopy(rows)

    def row_items(self) -> list[dict[str, Any]]:
        return self.rows

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def _text(self, row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if key == "applies_to":
            return ", ".join(str(v) for v in value)
        return str(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if not 0 <= index.column() < len(FEE_COLUMNS):
            return None
        key = FEE_COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(self.rows[index.row()], key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _AMOUNTS | {"flat_electronic"}:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and key == "name":
            return self._text(self.rows[index.row()], key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "method":
            return "tiered_per_page, patient_cost_based or no_charge"
        if role == Qt.ItemDataRole.ToolTipRole and key == "applies_to":
            return (
                "Comma-separated: patient, personal_representative, attorney, insurer, "
                "employer, provider, other_third_party"
            )
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not 0 <= index.row() < len(self.rows):
            return False
        key = FEE_COLUMNS[index.column()][0]
        text = "" if value is None else str(value).strip()
        row = self.rows[index.row()]
        if key == "applies_to":
            row[key] = [t.strip() for t in text.split(",") if t.strip()]
        elif key in _OPTIONAL and not text:
            row.pop(key, None)
        elif key in _AMOUNTS and not text:
            row[key] = "0.00"
        else:
            row[key] = text
        self.dataChanged.emit(index, index)
        return True

    def add(self, row: dict[str, Any]) -> int:
        at = len(self.rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.append(row)
        self.endInsertRows()
        return at

    def remove(self, at: int) -> None:
        if 0 <= at < len(self.rows):
            self.beginRemoveRows(QModelIndex(), at, at)
            del self.rows[at]
            self.endRemoveRows()


class SettingsDialog(QDialog):
    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or dt.date.today()
        self.setWindowTitle("Site settings")
        self.setObjectName("settingsDialog")
        self.resize(1220, 640)
        self.saved = False
        loaded = ctx.call(self._load)
        self._loaded = copy.deepcopy(loaded)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._site_tab(loaded["site"]), "&Site")
        self.tabs.addTab(self._fees_tab(loaded), "&Fees")
        self.tabs.addTab(self._templates_tab(loaded["templates"]), "&Letter templates")
        self.tabs.addTab(self._delivery_tab(loaded["delivery"]), "&Delivery")
        can_templates = ctx.can(Permission.EDIT_TEMPLATES)
        can_fees = ctx.can(Permission.EDIT_FEE_SCHEDULES)
        self.tabs.setTabEnabled(0, can_templates)
        self.tabs.setTabEnabled(1, can_fees)
        self.tabs.setTabEnabled(2, can_templates)
        self.tabs.setTabEnabled(3, can_templates)
        self.tabs.setCurrentIndex(0 if can_templates else 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self._check_fees()

    @staticmethod
    def _load(session: Session, _user: User) -> dict[str, Any]:
        return {
            "site": site_settings.site_info_data(session),
            "fees": site_settings.fee_schedules_data(session),
            "release_only_after_payment": site_settings.fee_settings(
                session
            ).release_only_after_payment,
            "target_days": site_settings.site_target_business_days(session),
            "templates": site_settings.letter_templates_data(session),
            "delivery": site_settings.delivery_settings(session),
        }

    # ------------------------------------------------------------------ site

    def _site_tab(self, site: dict[str, Any]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.site_edits: dict[str, QLineEdit] = {}
        for key, label in SITE_FIELDS[:3]:
            self.site_edits[key] = self._line(form, label, str(site.get(key, "")), key)
        self.address = QPlainTextEdit("\n".join(site.get("address_lines", [])), page)
        self.address.setObjectName("address_lines")
        self.address.setFixedHeight(64)
        form.addRow("Address (one line each)", self.address)
        for key, label in SITE_FIELDS[3:]:
            self.site_edits[key] = self._line(form, label, str(site.get(key, "")), key)
        officer = site.get("privacy_officer") or {}
        self.officer_edits: dict[str, QLineEdit] = {}
        for key, label in OFFICER_FIELDS:
            self.officer_edits[key] = self._line(
                form, label, str(officer.get(key, "")), f"officer_{key}"
            )
        self.payment_methods = QPlainTextEdit(str(site.get("payment_methods", "")), page)
        self.payment_methods.setObjectName("payment_methods")
        self.payment_methods.setFixedHeight(56)
        form.addRow("How to pay", self.payment_methods)
        return page

    def _line(self, form: QFormLayout, label: str, text: str, name: str) -> QLineEdit:
        edit = QLineEdit(text, form.parentWidget())
        edit.setObjectName(name)
        form.addRow(label, edit)
        return edit

    def site_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {k: e.text().strip() for k, e in self.site_edits.items()}
        data["address_lines"] = [
            ln.strip() for ln in self.address.toPlainText().splitlines() if ln.strip()
        ]
        data["privacy_officer"] = {k: e.text().strip() for k, e in self.officer_edits.items()}
        data["payment_methods"] = self.payment_methods.toPlainText().strip()
        return data

    # ------------------------------------------------------------------ fees

    def _fees_tab(self, loaded: dict[str, Any]) -> QWidget:
        page = QWidget(self)
        self.fee_model = FeeScheduleModel(loaded["fees"]["schedules"], page)
        self.fee_table = QTableView(page)
        self.fee_table.setObjectName("feeTable")
        self.fee_table.setModel(self.fee_model)
        self.fee_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fee_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.fee_table.verticalHeader().setVisible(False)
        self.fee_table.setWordWrap(False)
        self.fee_table.resizeColumnsToContents()
        header = self.fee_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # long names and requester lists are elided (the full text is in the editor)
        for column, widest in ((1, 170), (3, 150)):
            header.resizeSection(column, min(header.sectionSize(column), widest))
        self.fee_model.dataChanged.connect(self._check_fees)
        self.fee_model.rowsInserted.connect(self._check_fees)
        self.fee_model.rowsRemoved.connect(self._check_fees)

        self.add_button = QPushButton("&Add", page)
        self.add_button.clicked.connect(self.add_schedule)
        self.duplicate_button = QPushButton("&Duplicate as new version", page)
        self.duplicate_button.clicked.connect(self.duplicate_schedule)
        self.remove_button = QPushButton("&Remove", page)
        self.remove_button.clicked.connect(self.remove_schedule)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.fee_problems = QLabel(page)
        self.fee_problems.setObjectName("feeProblems")
        self.fee_problems.setWordWrap(True)
        self.fee_problems.setTextFormat(Qt.TextFormat.PlainText)

        self.release_after_payment = QCheckBox(
            "Release third-party requests only after payment", page
        )
        self.release_after_payment.setObjectName("releaseOnlyAfterPayment")
        self.release_after_payment.setChecked(bool(loaded["release_only_after_payment"]))
        self.release_after_payment.setToolTip(
            "Never applies to a patient's own access (45 CFR 164.524)."
        )
        self.target_days = QSpinBox(page)
        self.target_days.setObjectName("targetBusinessDays")
        self.target_days.setRange(1, site_settings.MAX_TARGET_BUSINESS_DAYS)
        self.target_days.setValue(int(loaded["target_days"]))
        self.target_days.setSuffix(" business days")
        more = QFormLayout()
        more.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        more.addRow(self.release_after_payment)
        more.addRow("Site's own target for answering", self.target_days)

        hint = QLabel(
            "Amounts are dollars and cents. A version with no end date runs until the next "
            "version of the same code starts: to change a fee, duplicate the row as a new "
            "version and enter the date it takes effect.",
            page,
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.fee_table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.fee_problems)
        layout.addLayout(more)
        return page

    def _selected_row(self) -> int:
        index = self.fee_table.currentIndex()
        return index.row() if index.isValid() else -1

    def _select(self, row: int) -> None:
        self.fee_table.selectRow(row)
        self.fee_table.scrollTo(self.fee_model.index(row, 0))

    def add_schedule(self) -> None:
        row: dict[str, Any] = {
            "code": "new_schedule",
            "name": "New fee schedule",
            "method": "tiered_per_page",
            "applies_to": [],
            "purpose": None,
            "effective_from": _first_of_next_month(self.today).isoformat(),
            "citation": "Site policy",
            "base_fee": "0.00",
            "per_page_tier1": "0.00",
            "tier1_pages": 100,
            "per_page_over": "0.00",
        }
        self._select(self.fee_model.add(row))

    def duplicate_schedule(self) -> None:
        at = self._selected_row()
        if at < 0:
            return
        row = copy.deepcopy(self.fee_model.rows[at])
        row.pop("effective_to", None)
        row["effective_from"] = _first_of_next_month(self.today).isoformat()
        self._select(self.fee_model.add(row))

    def remove_schedule(self) -> None:
        at = self._selected_row()
        if at >= 0:
            self.fee_model.remove(at)

    def fees_data(self) -> dict[str, Any]:
        return {"schedules": copy.deepcopy(self.fee_model.rows)}

    def _check_fees(self, *_args: object) -> list[str]:
        problems = site_settings.fee_schedule_problems(self.fees_data())
        if problems:
            self.fee_problems.setText("Not valid yet:\n" + "\n".join(f"• {p}" for p in problems))
            self.fee_problems.setStyleSheet("color: #b00020;")
        else:
            self.fee_problems.setText("The fee schedules are valid.")
            self.fee_problems.setStyleSheet("color: #2e7d32;")
        return problems

    # ------------------------------------------------------------------ templates

    def _templates_tab(self, templates: dict[str, Any]) -> QWidget:
        page = QWidget(self)
        self.templates = copy.deepcopy(templates)
        self.template_keys = QListWidget(page)
        self.template_keys.setObjectName("templateKeys")
        for section, keys in self.templates.items():
            if not isinstance(keys, dict):
                continue
            for key in keys:
                item = QListWidgetItem(f"{section}.{key}", self.template_keys)
                item.setData(Qt.ItemDataRole.UserRole, (section, key))
        self.template_edit = QPlainTextEdit(page)
        self.template_edit.setObjectName("templateText")
        self.placeholders = QLabel(page)
        self.placeholders.setObjectName("allowedPlaceholders")
        self.placeholders.setWordWrap(True)
        self.placeholders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._current: tuple[str, str] | None = None
        self.template_keys.currentItemChanged.connect(self._template_chosen)

        right = QWidget(page)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(
            "Lists of paragraphs: leave one blank line between paragraphs. "
            "Write {{ or }} for a literal brace.",
            right,
        )
        hint.setWordWrap(True)
        right_layout.addWidget(hint)
        right_layout.addWidget(self.template_edit, 1)
        right_layout.addWidget(self.placeholders)
        splitter = QSplitter(page)
        splitter.addWidget(self.template_keys)
        splitter.addWidget(right)
        splitter.setSizes([260, 700])
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        if self.template_keys.count():
            self.template_keys.setCurrentRow(0)
        return page

    def _store_template_text(self) -> None:
        if self._current is None:
            return
        section, key = self._current
        text = self.template_edit.toPlainText()
        if isinstance(self.templates[section].get(key), list):
            paragraphs = [" ".join(p.split("\n")).strip() for p in text.split("\n\n")]
            self.templates[section][key] = [p for p in paragraphs if p]
        else:
            self.templates[section][key] = text

    def _template_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self._store_template_text()
        if item is None:
            self._current = None
            return
        section, key = item.data(Qt.ItemDataRole.UserRole)
        self._current = (section, key)
        value = self.templates[section].get(key, "")
        self.template_edit.setPlainText(
            "\n\n".join(value) if isinstance(value, list) else str(value)
        )
        allowed = site_settings.allowed_placeholders(section)
        self.placeholders.setText(
            "Placeholders this letter may use: " + ", ".join("{" + n + "}" for n in allowed)
        )

    def templates_data(self) -> dict[str, Any]:
        self._store_template_text()
        return copy.deepcopy(self.templates)

    # ------------------------------------------------------------------ delivery

    def _delivery_tab(self, delivery: site_settings.DeliverySettings) -> QWidget:
        page = QWidget(self)
        self.data_folder = data_folder(self.ctx)
        self.fax_gateway = QComboBox(page)
        self.fax_gateway.setObjectName("faxGateway")
        self.fax_gateway.addItem("Fax hot folder (a fax server picks the files up)", "hot_folder")
        self.fax_gateway.addItem("No faxing from this site", "none")
        self.fax_gateway.setCurrentIndex(max(0, self.fax_gateway.findData(delivery.fax_gateway)))
        self.fax_folder = QLineEdit(delivery.fax_folder, page)
        self.fax_folder.setObjectName("faxFolder")
        self.fax_folder.setPlaceholderText(
            f"{site_settings.DEFAULT_FAX_FOLDER} (inside the data folder)"
        )
        browse = QPushButton("Choose…", page)
        browse.clicked.connect(self._choose_fax_folder)
        row = QHBoxLayout()
        row.addWidget(self.fax_folder, 1)
        row.addWidget(browse)
        self.fax_folder_used = QLabel(page)
        self.fax_folder_used.setObjectName("faxFolderUsed")
        self.fax_folder_used.setWordWrap(True)
        self.fax_folder_used.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(page)
        form.addRow("Fax gateway", self.fax_gateway)
        form.addRow("Fax hot folder", row)
        form.addRow("", self.fax_folder_used)
        hint = QLabel(
            "Each fax is written into the hot folder as a TIFF named after the fax number and "
            "the request number. Point it at your fax server's watched folder. Printing uses "
            "this computer's printers (CUPS on Linux, the print spooler on Windows); mail "
            "and pick-up need no setup.",
            page,
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        self.fax_folder.textChanged.connect(self._show_fax_folder)
        self.fax_gateway.currentIndexChanged.connect(self._show_fax_folder)
        self._show_fax_folder()
        return page

    def delivery_data(self) -> site_settings.DeliverySettings:
        return site_settings.DeliverySettings(
            str(self.fax_gateway.currentData()), self.fax_folder.text().strip()
        )

    def _show_fax_folder(self, *_args: object) -> None:
        settings = self.delivery_data()
        self.fax_folder.setEnabled(settings.fax_gateway == "hot_folder")
        if settings.fax_gateway == "none":
            self.fax_folder_used.setText(
                "Faxing is off: the Packet tab says so before anyone keys."
            )
            return
        self.fax_folder_used.setText(
            f"Faxes are written to: {settings.fax_folder_path(self.data_folder)}"
        )

    def _choose_fax_folder(self) -> None:
        start = str(self.delivery_data().fax_folder_path(self.data_folder))
        folder = QFileDialog.getExistingDirectory(self, "Fax hot folder", start)
        if folder:
            self.fax_folder.setText(folder)

    # ------------------------------------------------------------------ save

    def save(self) -> None:
        """Hand every changed setting to the core in one transaction; on a refusal show it
        and keep the dialog open with the edits as they are."""
        site = self.site_data()
        fee_data = self.fees_data()
        release = self.release_after_payment.isChecked()
        target = self.target_days.value()
        templates = self.templates_data()
        loaded = self._loaded
        site_changed = site != loaded["site"]
        fees_changed = fee_data != loaded["fees"]
        release_changed = release != loaded["release_only_after_payment"]
        target_changed = target != loaded["target_days"]
        templates_changed = templates != loaded["templates"]
        delivery = self.delivery_data()
        delivery_changed = delivery != loaded["delivery"]
        if fees_changed:
            problems = self._check_fees()
            if problems:
                self.tabs.setCurrentIndex(1)
                show_error(
                    self,
                    ValidationError(
                        "The fee schedules were not saved:\n"
                        + "\n".join(f"• {p}" for p in problems)
                    ),
                )
                return

        def work(session: Session, user: User) -> None:
            if site_changed:
                site_settings.save_site_info(session, site, user=user)
            if fees_changed:
                site_settings.save_fee_schedules(session, fee_data, user=user)
            if release_changed:
                site_settings.save_fee_settings(session, FeeSettings(release), user=user)
            if target_changed:
                site_settings.save_site_target_business_days(session, target, user=user)
            if templates_changed:
                site_settings.save_letter_templates(session, templates, user=user)
            if delivery_changed:
                site_settings.save_delivery_settings(session, delivery, user=user)

        try:
            self.ctx.call(work)
        except Exception as exc:  # shown to the user; the edits stay in the dialog
            show_error(self, exc)
            return
        self.saved = True
        self.accept()
