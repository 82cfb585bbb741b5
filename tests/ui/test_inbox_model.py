"""The inbox model: a well-behaved Qt model over paged SQL, sorted and filtered in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont
from sqlalchemy import func, select

from roi_desk.models import Request, Status
from roi_desk.models.enums import OPEN_STATUSES
from roi_desk.services import inbox
from roi_desk.services.inbox import Column, DueFilter, InboxFilter
from roi_desk.ui.context import AppContext
from roi_desk.ui.inbox_model import COLUMN_INDEX, InboxModel, RequestIdRole, RowRole
from roi_desk.ui.operations import CancelToken
from tests.ui.conftest import DEMO_REQUESTS
from tests.ui.workers import RecordingPresenter, wait_for_workers


def _model(ctx: AppContext, page_size: int = 200) -> InboxModel:
    model = InboxModel(ctx, page_size=page_size)
    model.refresh()
    wait_for_workers(ctx)
    return model


def _data(ctx: AppContext, model: InboxModel, row: int, column: int, role: Any = None) -> Any:
    """Ask for a cell, let its page arrive from the worker, and ask again (as the view
    does when the model says the rows changed)."""
    index = model.index(row, column)
    model.data(index) if role is None else model.data(index, role)
    wait_for_workers(ctx)
    index = model.index(row, column)
    return model.data(index) if role is None else model.data(index, role)


def _column(model: InboxModel, key: Column) -> list[Any]:
    col = COLUMN_INDEX[key]
    return [_data(model.ctx, model, r, col, RowRole) for r in range(model.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester: Any, ctx: AppContext) -> None:
    model = _model(ctx, page_size=25)  # several pages, so paging is exercised too
    assert model.rowCount() == DEMO_REQUESTS
    qtmodeltester.check(model, force_py=True)


def test_empty_inbox_passes_qtmodeltester(qtmodeltester: Any, empty_ctx: AppContext) -> None:
    model = _model(empty_ctx)
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_pages_are_fetched_on_demand_and_few_are_kept(ctx: AppContext) -> None:
    calls: list[int] = []
    real_page = inbox.page

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("offset", 0))
        return real_page(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(inbox, "page", spy)
    try:
        model = _model(ctx, page_size=10)
        assert calls == [0]  # the count and the first page only
        assert model.rowCount() == DEMO_REQUESTS
        _data(ctx, model, 55, 0)
        assert calls == [0, 50]
        _data(ctx, model, 57, 3)  # same page: no query
        assert calls == [0, 50]
        for row in range(0, DEMO_REQUESTS, 10):
            _data(ctx, model, row, 0)
        assert len(model._pages) <= 6
    finally:
        mp.undo()
    # every row came from the database exactly once per page, in a stable order
    ids = [_data(ctx, model, r, 0, RequestIdRole) for r in range(model.rowCount())]
    assert len(set(ids)) == DEMO_REQUESTS


def test_sort_is_done_in_sql(ctx: AppContext) -> None:
    model = _model(ctx, page_size=30)
    model.sort(COLUMN_INDEX[Column.DUE], Qt.SortOrder.AscendingOrder)
    wait_for_workers(ctx)
    dues = [row.due_on for row in _column(model, Column.DUE)]
    assert dues == sorted(dues)
    model.sort(COLUMN_INDEX[Column.PATIENT], Qt.SortOrder.DescendingOrder)
    wait_for_workers(ctx)
    assert model.sort_column == Column.PATIENT and model.descending
    with ctx.db.transaction() as session:
        expected = list(
            session.scalars(
                select(Request.id).order_by(Request.patient_sort.desc(), Request.id.desc())
            )
        )
    assert [row.id for row in _column(model, Column.PATIENT)] == expected


def test_filters_by_status_and_search(ctx: AppContext) -> None:
    model = _model(ctx)
    model.set_filter(InboxFilter(statuses=frozenset({Status.LOGGED})))
    wait_for_workers(ctx)
    rows = _column(model, Column.STATUS)
    assert rows and all(row.status == Status.LOGGED for row in rows)
    with ctx.db.transaction() as session:
        number = session.scalar(select(Request.number).limit(1))
    model.set_filter(InboxFilter(search=number or ""))
    wait_for_workers(ctx)
    assert model.rowCount() == 1
    assert _data(ctx, model, 0, COLUMN_INDEX[Column.NUMBER]).startswith(number or "?")


def test_overdue_rows_are_marked(ctx: AppContext) -> None:
    # the demo spreads requests over 45 days, and the statutory deadline is 30 days
    model = _model(ctx)
    model.set_filter(InboxFilter(due=DueFilter.OVERDUE))
    wait_for_workers(ctx)
    assert model.rowCount() > 0
    due = COLUMN_INDEX[Column.DUE]
    row = _data(ctx, model, 0, due, RowRole)
    index = model.index(0, due)
    assert row.overdue and row.status in OPEN_STATUSES and row.due_on < date.today()
    brush = model.data(index, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color().red() > 150
    font = model.data(index, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert model.data(index, Qt.ItemDataRole.ToolTipRole).startswith("Overdue by")

    model.set_filter(InboxFilter(statuses=frozenset({Status.CLOSED})))
    wait_for_workers(ctx)
    for r in range(model.rowCount()):
        assert _data(ctx, model, r, due, Qt.ItemDataRole.FontRole) is None


def test_row_count_matches_service_count(ctx: AppContext) -> None:
    model = _model(ctx)
    flt = InboxFilter(unmatched_only=True)
    model.set_filter(flt)
    wait_for_workers(ctx)
    with ctx.db.transaction() as session:
        assert model.rowCount() == inbox.count(session, flt)
        assert model.rowCount() == session.scalar(
            select(func.count()).select_from(Request).where(Request.patient_id.is_(None))
        )


def test_a_page_that_fails_renders_disabled(ctx: AppContext) -> None:
    model = _model(ctx, page_size=10)
    real_page = inbox.page

    def broken(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("offset"):
            raise RuntimeError("simulated database failure")
        return real_page(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(inbox, "page", broken)
    try:
        assert _data(ctx, model, 25, 0) == "(could not load)"  # no exception escapes data()
        assert not model.flags(model.index(25, 0)) & Qt.ItemFlag.ItemIsEnabled
        assert model.flags(model.index(5, 0)) & Qt.ItemFlag.ItemIsEnabled
    finally:
        mp.undo()
    model.refresh()
    wait_for_workers(ctx)
    _data(ctx, model, 25, 0)
    assert model.flags(model.index(25, 0)) & Qt.ItemFlag.ItemIsEnabled


class DeferredRunner:
    """Holds operations until the test releases them, in any order (like worker threads)."""

    def __init__(self) -> None:
        self.jobs: list[Any] = []
        self.presenter = RecordingPresenter()

    def start(
        self,
        fn: Any,
        *,
        success: Any = None,
        failure: Any = None,
        progress: Any = None,
        owner: Any = None,
    ) -> Any:
        token = CancelToken()
        self.jobs.append(lambda: success(fn(token)) if success else fn(token))
        return token


def test_answers_to_an_older_filter_are_dropped(ctx: AppContext) -> None:
    runner = DeferredRunner()
    ctx.runner = runner
    model = InboxModel(ctx)
    model.refresh()  # every status
    model.set_filter(InboxFilter(statuses=frozenset({Status.CLOSED})))
    assert model.rowCount() == 0  # nothing applied until an answer arrives
    older, newer = runner.jobs
    newer()
    closed = model.rowCount()
    assert 0 < closed < DEMO_REQUESTS
    older()  # arrives late: ignored
    assert model.rowCount() == closed
    # rows of a page not yet loaded show nothing until their answer comes
    assert model.data(model.index(0, 0), RowRole) is not None
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def _broad_search(ctx: AppContext) -> tuple[InboxFilter, int]:
    """The family-name initial most requests share, and how many share it."""
    with ctx.db.transaction() as session:
        names = [r.patient for r in inbox.page(session, InboxFilter(), limit=DEMO_REQUESTS)]
    initials = [n[0] for n in names]
    letter = max(set(initials), key=initials.count)
    return InboxFilter(search=letter), initials.count(letter)


def test_a_search_beyond_the_cap_shows_plus_and_grows_to_every_match(
    qtmodeltester: Any, ctx: AppContext
) -> None:
    flt, matches = _broad_search(ctx)
    assert matches > 6
    model = InboxModel(ctx, page_size=4, count_cap=5)
    model.set_filter(flt)
    wait_for_workers(ctx)
    assert model.rowCount() == 5 and not model.count_is_exact
    assert model.count_label() == "5+ requests"
    qtmodeltester.check(model, force_py=True)  # it fetches more itself, then keeps watching
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        wait_for_workers(ctx)
    assert model.count_is_exact and model.rowCount() == matches
    assert model.count_label() == f"{matches} requests"
    ids = [_data(ctx, model, r, 0, RequestIdRole) for r in range(model.rowCount())]
    assert len(set(ids)) == matches and None not in ids  # the tester watched every insert


def test_a_search_within_the_cap_is_counted_exactly(ctx: AppContext) -> None:
    flt, matches = _broad_search(ctx)
    model = InboxModel(ctx, count_cap=matches)
    model.set_filter(flt)
    wait_for_workers(ctx)
    assert model.rowCount() == matches and model.count_is_exact
    assert not model.canFetchMore(QModelIndex())


def test_deep_pages_come_through_the_row_map_unchanged(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roi_desk.ui import inbox_model

    def every_id(model: InboxModel) -> list[Any]:
        return [_data(model.ctx, model, r, 0, RequestIdRole) for r in range(model.rowCount())]

    plain = _model(ctx, page_size=10)
    assert plain._rows_map is None  # a short list pages with OFFSET
    monkeypatch.setattr(inbox_model, "ROW_MAP_MIN_ROWS", 10)
    monkeypatch.setattr(inbox, "ROW_MAP_STEP", 7)
    mapped = _model(ctx, page_size=10)
    assert mapped._rows_map is not None and mapped._rows_map.step == 7
    assert every_id(mapped) == every_id(plain) and None not in every_id(mapped)
