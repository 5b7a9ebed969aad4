"""The members model, its filter and the search index: Qt's model tester and incremental updates."""

# ruff: noqa: S311 - seeded randomness makes realistic test data, not secrets

from __future__ import annotations

import random
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.gui.members.member_filter import MemberFilter
from app.gui.members.model import ROW_ROLE, MembersModel
from app.gui.members.okta_index import OktaIndex, OktaState, build_index, match
from app.gui.members.rows import Column, MemberRow, RowStatus, plan_update, sort_permutation
from app.gui.members.search_index import SearchIndex


def _people(count: int, seed: int = 7) -> list[MemberRow]:
    rng = random.Random(seed)
    first = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances"]
    last = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie"]
    rows = []
    for number in range(count):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        rows.append(
            MemberRow(
                id=f"id-{number:05d}",
                email=f"{name.lower().replace(' ', '.')}{number}@example.com",
                name=name,
                status=rng.choice([s for s in RowStatus if s is not RowStatus.PROVISIONED]),
                role=rng.choice([0, 1, 2, 4]),
                external_id=f"00u{number:06d}" if number % 3 else "",
                two_step=rng.choice([True, False]),
                user_id=f"user-{number}",
            )
        )
    return rows


def _load(model_filter: MemberFilter, model: MembersModel, rows: list[MemberRow]) -> None:
    model_filter.apply(plan_update(model.rows, model.search_keys, rows, initial=not model.rows))


def _source_signals(model: MembersModel) -> list[tuple[str, int, int]]:
    seen: list[tuple[str, int, int]] = []
    model.rowsRemoved.connect(lambda _p, a, b: seen.append(("removed", a, b)))
    model.rowsInserted.connect(lambda _p, a, b: seen.append(("inserted", a, b)))
    model.dataChanged.connect(lambda a, b, _r=None: seen.append(("changed", a.row(), b.row())))
    model.modelReset.connect(lambda: seen.append(("reset", -1, -1)))
    return seen


def test_model_passes_qt_model_tester_through_updates(qtmodeltester: ModelTester) -> None:
    model = MembersModel()
    model_filter = MemberFilter(model)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]
    rows = _people(60)
    _load(model_filter, model, rows)
    changed = [
        *rows[5:40],
        MemberRow(id="id-new", email="new@example.com", name="New Person"),
        *[r._replace(status=RowStatus.CONFIRMED) for r in rows[40:50]],
    ]
    _load(model_filter, model, changed)
    assert model.rowCount() == len(changed)
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]


def test_filter_passes_qt_model_tester_with_search_sort_and_status(
    qtmodeltester: ModelTester,
) -> None:
    model = MembersModel()
    model_filter = MemberFilter(model)
    _load(model_filter, model, _people(80))
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]
    model_filter.set_query("hop")
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
    model_filter.set_statuses({int(RowStatus.INVITED)})
    _load(model_filter, model, _people(70, seed=8))
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]


def test_filter_passes_qt_model_tester_with_an_id_subset_groups_and_invitations(
    qtmodeltester: ModelTester,
) -> None:
    """The 'only' subset (expired invitations, a group), the Groups and Invitation columns."""
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = _people(80)
    _load(model_filter, model, rows)
    chosen = {r.id for r in rows[::3]}
    model.set_member_groups({r.id: ("Engineering", "Sales") for r in rows[::3]})
    model_filter.column_changed(Column.GROUPS)
    model_filter.set_statuses(None, only=chosen | {"not-a-member"})
    assert {r.id for r in model_filter.visible_rows()} == chosen
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]
    groups_cell = model_filter.data(model_filter.index(0, int(Column.GROUPS)))
    assert groups_cell == "Engineering, Sales"
    model_filter.sort(int(Column.INVITATION), Qt.SortOrder.AscendingOrder)
    model_filter.replace_only(set(list(chosen)[:5]))
    _load(model_filter, model, rows[:70])
    assert {r.id for r in model_filter.visible_rows()} <= chosen
    assert len(model_filter.visible_rows()) <= 5
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]


def _okta_reading(rows: list[MemberRow]) -> OktaIndex:
    """Okta assigns every other member; one fails (a conflict), one has a login-name username."""
    from datetime import UTC, datetime

    from app.core.okta.verify import AppRef, NotProvisioned, UsernameMismatch, Verification

    verification = Verification(
        app=AppRef(id="0oa1", label="Bitwarden"),
        steps=[],
        not_provisioned=[
            NotProvisioned(email=rows[0].email, reason="Conflict", at="2026-12-03T01:00:00Z"),
            NotProvisioned(email="outsider@example.com", reason="Unauthorized"),
        ],
        username_mismatches=[UsernameMismatch(email=rows[2].email, app_username="login")],
        assigned_emails=[r.email.upper() for r in rows[::2]] + ["outsider@example.com"],
    )
    return build_index(verification, datetime.now(UTC))


def test_filter_passes_qt_model_tester_with_the_okta_column(qtmodeltester: ModelTester) -> None:
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = _people(80)
    _load(model_filter, model, rows)
    assert model.data(model.index(0, int(Column.OKTA))) == ""  # no reading: an empty column
    model.set_okta(_okta_reading(rows))
    model_filter.column_changed(Column.OKTA)
    model_filter.sort(int(Column.OKTA), Qt.SortOrder.AscendingOrder)
    first = model_filter.data(model_filter.index(0, int(Column.OKTA)))
    assert first == "Okta failed: Conflict"
    assert (
        model_filter.data(model_filter.index(1, int(Column.OKTA))) == "App username ≠ email (login)"
    )
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]
    _load(model_filter, model, _people(70, seed=8))  # a refresh, sorted by Okta on the worker
    qtmodeltester.check(model_filter, force_py=True)  # type: ignore[no-untyped-call]
    qtmodeltester.check(model, force_py=True)  # type: ignore[no-untyped-call]


def test_okta_reading_and_matches_by_email_without_case() -> None:
    rows = _people(12)
    okta = _okta_reading(rows)
    states = [okta.state_of(r) for r in rows]
    assert states[0] is OktaState.FAILED
    assert states[2] is OktaState.USERNAME_MISMATCH
    assert states[4] is OktaState.ASSIGNED  # assigned under an upper-case e-mail
    for row, state in zip(rows[1::2], states[1::2], strict=True):
        expected = (
            OktaState.REVOKED_UNASSIGNED
            if row.status is RowStatus.REVOKED
            else OktaState.NOT_ASSIGNED
        )
        assert state is expected
    matches = match(okta, rows, generation=3)
    assert matches.generation == 3
    assert matches.not_assigned == {r.id for r in rows[1::2] if r.status is not RowStatus.REVOKED}
    assert matches.username_mismatch == {rows[2].id}
    # Only the person who is not a member: the failed member is shown on their own row.
    assert [p.email for p in matches.not_in_bitwarden] == ["outsider@example.com"]
    from app.gui.members.model import okta_time, okta_tooltip

    tip = okta_tooltip(okta, rows[0])
    local = datetime.fromisoformat("2026-12-03T01:00:00Z").astimezone().strftime("%Y-%m-%d %H:%M")
    assert f"System Log at {local}." in tip  # Okta's UTC time, as local time
    assert okta_time("not a time\u202e") == "not a time "  # as sent, cleaned
    stale = okta.marked_stale("Okta could not be read: 401", okta.read_at)
    assert "(stale)" in okta_tooltip(stale, rows[0])
    assert stale.stale == "Okta could not be read: 401"
    assert stale.assigned is okta.assigned


def test_okta_shows_people_it_provisioned_whom_bitwarden_no_longer_has() -> None:
    from app.core.okta.compare import GONE_FROM_BITWARDEN

    rows = _people(6)
    okta = _okta_reading(rows)
    kept = [r for r in rows if r not in (rows[0], rows[4])]  # both removed in Bitwarden
    gone = {p.email.lower(): p.reason for p in match(okta, kept, generation=1).not_in_bitwarden}
    assert gone[rows[0].email.lower()] == "Conflict"  # Okta's own failure, as Okta logged it
    assert gone[rows[4].email.lower()] == GONE_FROM_BITWARDEN  # Okta shows them provisioned
    assert set(gone) == {rows[0].email.lower(), rows[4].email.lower(), "outsider@example.com"}


def test_refresh_is_incremental_not_a_reset(qtbot: QtBot) -> None:
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = _people(30)
    _load(model_filter, model, rows)
    seen = _source_signals(model)
    confirmed = rows[10]._replace(name="Renamed In Okta")
    updated = [
        *rows[:3],
        *rows[5:10],
        confirmed,
        *rows[11:],
        MemberRow(id="x", email="x@example.com"),
    ]
    _load(model_filter, model, updated)
    assert ("reset", -1, -1) not in seen
    assert ("removed", 3, 4) in seen
    assert ("changed", 8, 8) in seen  # row 10 moved up by the two removed before it
    assert ("inserted", 28, 28) in seen
    assert [row.id for row in model.rows] == [row.id for row in updated]
    assert model.touched == {confirmed.id, "x"}
    assert model.index(8, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_first_load_highlights_and_notifies_nobody() -> None:
    rows = _people(20)
    plan = plan_update([], [], rows, initial=True)
    assert plan.touched == frozenset()
    assert plan.newly_accepted == []
    again = plan_update(
        rows,
        [r.search_key for r in rows],
        [r._replace(status=RowStatus.ACCEPTED) for r in rows],
    )
    newly = {r.id for r in rows if r.status is not RowStatus.ACCEPTED}
    assert {r.id for r in again.newly_accepted} == newly


def test_filter_search_status_and_sort_show_the_right_rows(qtbot: QtBot) -> None:
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = _people(200)
    _load(model_filter, model, rows)
    model_filter.set_query("  GRACE ")
    shown = model_filter.visible_rows()
    assert shown == sorted(
        (r for r in rows if "grace" in r.search_key), key=lambda r: (0, r.name.casefold())
    )
    model_filter.set_statuses({int(RowStatus.ACCEPTED)})
    assert all(
        r.status is RowStatus.ACCEPTED and "grace" in r.search_key
        for r in model_filter.visible_rows()
    )
    model_filter.set_statuses(None)
    model_filter.set_query("")
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
    emails = [
        model_filter.index(i, int(Column.EMAIL)).data() for i in range(model_filter.rowCount())
    ]
    assert emails == sorted((r.email for r in rows), key=str.casefold, reverse=True)
    member = model_filter.index(0, 0).data(ROW_ROLE)
    assert isinstance(member, MemberRow)
    assert model_filter.mapToSource(model_filter.index(0, 0)).row() == model.rows.index(member)
    assert model_filter.mapFromSource(model.index(model.rows.index(member), 0)).row() == 0
    assert model_filter.proxy_row_of(member.id) == 0
    assert not model_filter.parent(model_filter.index(0, 0)).isValid()
    assert model_filter.rowCount(model_filter.index(0, 0)) == 0
    assert model_filter.index(0, 0, QModelIndex()).isValid()


def test_sort_keeps_the_selection_on_the_same_members(qtbot: QtBot) -> None:
    from PySide6.QtCore import QItemSelectionModel

    model = MembersModel()
    model_filter = MemberFilter(model)
    _load(model_filter, model, _people(50))
    selection = QItemSelectionModel(model_filter)
    selection.select(model_filter.index(3, 0), QItemSelectionModel.SelectionFlag.Select)
    chosen = model_filter.row_at(3)
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
    [index] = [i for i in selection.selectedIndexes() if i.column() == 0]
    assert model_filter.row_at(index.row()) == chosen


def _emails(model_filter: MemberFilter) -> list[str]:
    return [model_filter.row_at(i).email for i in range(model_filter.rowCount())]


def _sorting_in_background(
    monkeypatch: pytest.MonkeyPatch, rows: list[MemberRow]
) -> tuple[MembersModel, MemberFilter, list[bool]]:
    """A filter over `rows` that sorts them on a worker (as from 20,000 rows); its `sorting` log."""
    model = MembersModel()
    model_filter = MemberFilter(model)
    monkeypatch.setattr(model_filter, "background_sort_rows", 100)
    _load(model_filter, model, rows)
    busy: list[bool] = []
    model_filter.sorting.connect(busy.append)
    return model, model_filter, busy


def test_a_large_sort_runs_off_the_gui_thread_and_keeps_the_selection(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    rows = _people(300)
    _model, model_filter, busy = _sorting_in_background(monkeypatch, rows)
    selection = QItemSelectionModel(model_filter)
    selection.select(model_filter.index(5, 0), QItemSelectionModel.SelectionFlag.Select)
    chosen = model_filter.row_at(5)
    before = _emails(model_filter)
    with qtbot.waitSignal(model_filter.layoutChanged, timeout=5000):
        model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
        # Until the worker answers, the table still shows (and maps) the old order.
        assert model_filter.sort_pending
        assert _emails(model_filter) == before
    assert busy == [True, False]  # the busy cursor came and went
    assert _emails(model_filter) == sorted((r.email for r in rows), key=str.casefold, reverse=True)
    [index] = [i for i in selection.selectedIndexes() if i.column() == 0]
    assert model_filter.row_at(index.row()) == chosen


def test_a_background_sort_overtaken_by_a_refresh_or_a_click_is_dropped(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _people(300)
    model, model_filter, busy = _sorting_in_background(monkeypatch, rows)

    # A second click before the first sort arrives: only the second order is shown.
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not model_filter.sort_pending, timeout=5000)
    assert _emails(model_filter) == sorted((r.email for r in rows), key=str.casefold)

    # A refresh lands while a sort runs: the refresh's rows win, in the order asked for.
    model_filter.sort(int(Column.EMAIL), Qt.SortOrder.DescendingOrder)
    fewer = rows[:250]
    _load(model_filter, model, fewer)
    qtbot.waitUntil(lambda: not model_filter.sort_pending, timeout=5000)
    assert _emails(model_filter) == sorted((r.email for r in fewer), key=str.casefold, reverse=True)
    assert busy[-1] is False
    assert len(model_filter.take_retired()) >= 1  # the dropped index is freed like the others


def test_header_clicks_free_the_indexes_earlier_clicks_replaced(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each background sort frees the indexes replaced before it (on its worker): clicking
    through the headers keeps at most one replaced index, not one per click."""
    rows = _people(300)
    model, model_filter, _busy = _sorting_in_background(monkeypatch, rows)
    seen: list[SearchIndex] = []
    for column in (Column.EMAIL, Column.STATUS, Column.NAME):
        with qtbot.waitSignal(model_filter.layoutChanged, timeout=5000):
            model_filter.sort(int(column))
        qtbot.waitUntil(lambda: not model_filter.sort_pending, timeout=5000)
        seen.extend(model_filter._retired)
    retired = model_filter.take_retired()
    assert len(retired) == 1  # only the index the last click replaced
    assert len(retired[0]) == 300
    earlier = [index for index in seen if index is not retired[0]]
    assert len(earlier) >= 2
    assert all(len(index) == 0 for index in earlier)  # released by the later clicks' workers
    by_name = sort_permutation(model.rows, Column.NAME, False)
    assert [r.id for r in model_filter.visible_rows()] == [model.rows[i].id for i in by_name]


def test_a_plan_keeps_one_copy_of_the_search_keys_the_index_s() -> None:
    """The model's keys are the index's own copies (one set of 100,000 strings, not two), and
    they outlive the index's release."""
    rows = _people(300)
    first = plan_update([], [], rows, initial=True)
    assert first.index is not None
    keys = first.kept_keys + first.added_keys
    assert len(keys) == 300
    assert all(a is b for a, b in zip(keys, first.index.keys_by_row, strict=True))
    changed = [rows[0]._replace(name="Someone Else"), *rows[1:250], *_people(20, seed=3)]
    second = plan_update(first.rows, keys, changed)
    assert second.index is not None
    new_keys = second.kept_keys + second.added_keys
    assert all(a is b for a, b in zip(new_keys, second.index.keys_by_row, strict=True))
    assert new_keys == [row.search_key for row in second.rows]
    second.index.release()
    assert new_keys == [row.search_key for row in second.rows]


_KEYS = st.lists(st.text(alphabet="abcxyz.@ \t", min_size=0, max_size=12), max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    keys=_KEYS,
    queries=st.lists(st.text(alphabet="abcxyz.@", max_size=4), max_size=6),
    seed=st.integers(),
)
def test_search_index_agrees_with_the_obvious_filter(
    keys: list[str], queries: list[str], seed: int
) -> None:
    statuses = [random.Random(seed + i).choice([-1, 0, 1, 2, 3]) for i in range(len(keys))]
    order = list(range(len(keys)))
    random.Random(seed).shuffle(order)
    index = SearchIndex(keys, statuses, order)
    wanted = {0, 1} if seed % 2 else None

    def expected(typed: str) -> list[int]:
        return [
            i
            for i in order
            if typed.lower() in keys[i].lower() and (wanted is None or statuses[i] in wanted)
        ]

    typed = ""
    for query in queries:
        typed += query  # typing letter by letter exercises the narrowing path too
        assert index.match(typed, wanted) == expected(typed)
    while typed:  # Backspace: the remembered answers must still be right
        typed = typed[:-1]
        assert index.match(typed, wanted) == expected(typed)


def test_search_index_copies_keys_slice_by_slice_in_display_order() -> None:
    """Keys spanning several copy slices (one holding a newline, which the joined copy cannot
    split) are matched as the obvious filter matches them, and copied, not shared."""
    keys = [f"person {n}\tp{n}@example.com\t" for n in range(5000)]
    keys[2500] = "odd\nkey p2500@example.com"
    order = list(range(len(keys)))
    random.Random(7).shuffle(order)
    index = SearchIndex(keys, [0] * len(keys), order)
    for query in ("p25", "person 49", "odd", "@example", "zz"):
        assert index.match(query) == [i for i in order if query in keys[i]]
    assert index.keys_by_row == keys
    assert sum(a is b for a, b in zip(index.keys_by_row, keys, strict=True)) < 2100


@pytest.mark.parametrize("size", [0, 1, 9])
def test_search_index_empty_query_keeps_display_order(size: int) -> None:
    order = list(range(size))[::-1]
    index = SearchIndex([f"k{i}" for i in range(size)], [0] * size, order)
    assert index.match("") == order
    assert index.match("k") == order
    assert index.match("zz") == []


def test_csv_cells_never_become_spreadsheet_formulas() -> None:
    from app.gui.members.export import csv_record

    row = MemberRow(id="1", email="=cmd|' /C calc'!A0@x.example", name="+SUM(A1)", external_id="@x")
    from app.core.members_csv import HEADER

    cells = dict(zip(HEADER, csv_record(row), strict=True))
    name, email, status = cells["Name"], cells["Email"], cells["Status"]
    external_id = cells["SCIM external id"]
    assert name == "'+SUM(A1)"
    assert email.startswith("'=")
    assert external_id == "'@x"
    assert status == "Invited"  # the window's word (app.core.vocabulary), as members --csv


def test_waited_text_says_how_long_in_words() -> None:
    from datetime import UTC, datetime, timedelta

    from app.gui.members.model import waited_text

    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert waited_text(now - timedelta(seconds=20), now) == "under a minute"
    assert waited_text(now - timedelta(minutes=1), now) == "1 minute"
    assert waited_text(now - timedelta(hours=5), now) == "5 hours"
    assert waited_text(now - timedelta(days=3, hours=2), now) == "3 days"


@pytest.mark.parametrize("descending", [False, True])
def test_large_sorts_in_slices_match_one_stable_sort(descending: bool) -> None:
    from app.gui.members.rows import _column_keys, sort_permutation

    rows = _people(20_000, seed=3)  # more than one slice; many equal names
    groups = {r.id: ("Eng", "Sales")[: i % 3] for i, r in enumerate(rows)}
    for column in (Column.NAME, Column.STATUS, Column.TWO_STEP, Column.GROUPS):
        keys = _column_keys(rows, column, groups)
        expected = sorted(range(len(rows)), key=keys.__getitem__, reverse=descending)
        assert sort_permutation(rows, column, descending, groups) == expected


def test_the_groups_column_sorts_by_count_then_names_then_email() -> None:
    """Issue 17 leftover: not by the member's name (the old key), not by the raw joined string
    ("Eng, Sales" before "Engineering" though it has more groups)."""
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = [
        MemberRow(id="a", email="a@x.example", name="Zed"),
        MemberRow(id="b", email="b@x.example", name="Amy"),
        MemberRow(id="c", email="c@x.example", name="Bob"),
        MemberRow(id="d", email="d@x.example", name="Cat"),
        MemberRow(id="e", email="e@x.example", name="Dan"),
    ]
    _load(model_filter, model, rows)
    model.set_member_groups(
        {"a": ("Engineering",), "b": ("Eng", "Sales"), "c": ("eng",), "e": ("Sales",)}
    )
    model_filter.column_changed(Column.GROUPS)
    model_filter.sort(int(Column.GROUPS), Qt.SortOrder.AscendingOrder)
    # In no group first; then one group by name (case-insensitive; a tie by email); then two.
    assert [r.id for r in model_filter.visible_rows()] == ["d", "c", "a", "e", "b"]
    model_filter.sort(int(Column.GROUPS), Qt.SortOrder.DescendingOrder)
    assert [r.id for r in model_filter.visible_rows()] == ["b", "e", "a", "c", "d"]
    # A refresh keeps that order (the worker's plan sorts with the same groups).
    plan = plan_update(
        model.rows,
        model.search_keys,
        rows,
        sort_column=Column.GROUPS,
        sort_descending=False,
        groups=model.member_groups,
    )
    assert [plan.rows[i].id for i in plan.order] == ["d", "c", "a", "e", "b"]


def test_a_replaced_search_index_is_handed_over_for_release_and_the_new_one_answers(
    qtbot: QtBot,
) -> None:
    """The window frees replaced indexes on the next refresh's worker: releasing one must not
    touch what the table shows."""
    model = MembersModel()
    model_filter = MemberFilter(model)
    rows = _people(300)
    _load(model_filter, model, rows)
    model_filter.set_query("grace")
    first = model_filter.take_retired()
    assert len(first) == 1  # the empty index the filter started with
    _load(model_filter, model, [*rows[:250], *_people(40, seed=9)])
    retired = model_filter.take_retired()
    assert len(retired) == 1
    assert len(retired[0]) == 300
    shown = model_filter.visible_rows()
    for index in retired:
        index.release()
    assert len(retired[0]) == 0
    assert retired[0].match("grace") == []
    assert model_filter.take_retired() == []
    assert model_filter.visible_rows() == shown
    assert shown
    assert all("grace" in r.search_key for r in shown)
    model_filter.set_query("grac")  # Backspace after the release: the live index answers
    assert len(model_filter.visible_rows()) == len(shown)


def test_an_id_subset_keeps_the_display_order_search_and_status_of_a_full_match() -> None:
    """`SearchIndex.subset` (a group, the expired invitations) answers as a filtered `match`."""
    rows = _people(300, seed=5)
    order = sort_permutation(rows, Column.EMAIL, True)
    index = SearchIndex([r.search_key for r in rows], [int(r.status) for r in rows], order)
    chosen = list(range(0, 300, 7))[::-1]  # any order in, display order out
    for query, statuses in (("", None), ("a", None), ("", {int(RowStatus.INVITED)}), ("e", {0, 1})):
        wanted = set(chosen)
        expected = [r for r in index.match(query, statuses) if r in wanted]
        assert index.subset(chosen, query, statuses) == expected


def test_the_rows_as_the_core_reads_them_are_made_only_when_read() -> None:
    from app.core.okta.verify import BitwardenMember
    from app.gui.members.okta_side import MembersOf

    rows = _people(5)
    members = MembersOf(tuple(rows))
    assert len(members) == 5
    first = BitwardenMember(rows[0].email, rows[0].status.name.lower(), rows[0].external_id)
    assert members[0] == first
    assert members[:1] == [first]
    assert [m.email for m in members] == [r.email for r in rows]


def test_okta_text_from_outside_is_one_plain_line() -> None:
    from datetime import UTC

    from app.core.okta.verify import AppRef, NotProvisioned, UsernameMismatch, Verification
    from app.gui.members.model import okta_text, okta_tooltip

    rows = _people(3)
    hostile = "Conflict\u202e moc.live@\n<img src='file:///etc/passwd'>\x1b]0;x\x07"
    verification = Verification(
        app=AppRef(id="0oa1", label="Bit\u202ewarden\n"),
        steps=[],
        not_provisioned=[NotProvisioned(email=rows[0].email, reason=hostile, at="\x1b[2J")],
        username_mismatches=[UsernameMismatch(email=rows[1].email, app_username="lo\ngin\u202e")],
        assigned_emails=[r.email for r in rows],
    )
    okta = build_index(verification, datetime.now(UTC))
    for row in rows:
        text = okta_text(okta, row)
        tip = okta_tooltip(okta, row)
        for shown_text in (text, tip.replace("\n", " ")):
            assert shown_text.isprintable(), repr(shown_text)
            assert "\u202e" not in shown_text
    assert okta_text(okta, rows[0]).startswith("Okta failed: Conflict")
    assert okta_text(okta, rows[1]) == "App username ≠ email (lo gin )"
