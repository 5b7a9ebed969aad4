"""The process-wide pauses the members window takes while a worker is busy: the cyclic garbage
collector (gc_pause) and CPython's GIL switch interval (gil_share). Several windows may hold
them at once; the setting in force before the first holder returns after the last one."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from app.gui.members.gc_pause import GcHold
from app.gui.members.gil_share import SHORT_INTERVAL_S, ShortSwitchInterval


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
    first, second = ShortSwitchInterval(), ShortSwitchInterval()
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
    first, second = GcHold(), GcHold()
    first.acquire()
    second.acquire()
    assert not gc.isenabled()
    first.release()
    assert not gc.isenabled()
    assert first.held is False
    second.release()
    assert gc.isenabled()
