"""work.rescaled: a part of long work reported as its share of one steady bar."""

from __future__ import annotations

from roi_desk.work import Progress, Steps, drive, rescaled


def _part() -> Steps[str]:
    yield (0, 4, "reading")
    yield (2, 4, "halfway")
    yield (4, 4, "done")
    return "result"


def test_a_part_moves_within_its_share_and_returns_its_result() -> None:
    seen: list[Progress] = []
    result = drive(
        rescaled(_part(), base=500, span=300, total=1000, prefix="File 2 of 3: "),
        progress=lambda d, t, m: seen.append((d, t, m)),
    )
    assert result == "result"
    assert seen == [
        (500, 1000, "File 2 of 3: reading"),
        (650, 1000, "File 2 of 3: halfway"),
        (800, 1000, "File 2 of 3: done"),
    ]


def test_a_part_without_a_total_stays_at_its_base() -> None:
    def unknown() -> Steps[None]:
        yield (3, 0, "counting")

    assert list(rescaled(unknown(), 100, 50, 1000)) == [(100, 1000, "counting")]
