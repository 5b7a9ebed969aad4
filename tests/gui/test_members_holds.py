"""The process-wide settings the members window changes while a worker is busy (worker_hold): the
cyclic garbage collector paused and CPython's GIL switch interval short. Several windows may hold
them at once; the settings in force before the first holder return after the last one."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from app.gui.worker_hold import SHORT_INTERVAL_S, WorkerHold


@pytest.fixture(autouse=True)
def _restore_process_settings() -> Iterator[None]:
    interval, enabled = sys.getswitchinterval(), gc.isenabled()
    yield
    sys.setswitchinterval(interval)
    if enabled:
        gc.enable()


def test_the_short_switch_interval_lasts_until_the_last_holder_releases() -> None:
    before = sys.getswitchinterval()
    assert before != pytest.approx(SHORT_INTERVAL_S)
    first, second = WorkerHold(), WorkerHold()
    first.acquire()
    first.acquire()  # idempotent: still one hold
    second.acquire()
    assert sys.getswitchinterval() == pytest.approx(SHORT_INTERVAL_S)
    first.release()
    first.release()
    assert sys.getswitchinterval() == pytest.approx(SHORT_INTERVAL_S)  # the second still holds
    second.release()
    assert sys.getswitchinterval() == pytest.approx(before)


def test_the_collector_pause_lasts_until_the_last_holder_releases() -> None:
    gc.enable()
    first, second = WorkerHold(), WorkerHold()
    first.acquire()
    second.acquire()
    assert not gc.isenabled()
    first.release()
    assert not gc.isenabled()
    assert first.held is False
    second.release()
    assert gc.isenabled()


def test_the_main_thread_collector_waits_while_a_worker_holds() -> None:
    """The program's scheduled collection skips its turn during a large refresh or sort (a full
    collection would walk the worker's new objects on the GUI thread), and resumes after."""
    from app.gui.application import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector()
    junk: list[list[object]] = [[] for _ in range(gc.get_threshold()[0] + 100)]
    for item in junk:
        item.append(item)  # cycles only a collection can free
    del junk
    before = gc.get_count()[0]
    hold = WorkerHold()
    hold.acquire()
    try:
        collector.collect()
        assert gc.get_count()[0] >= before  # nothing collected while held
    finally:
        hold.release()
    collector.collect()
    assert gc.get_count()[0] < before
