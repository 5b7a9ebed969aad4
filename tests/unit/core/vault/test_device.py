"""One stable device identifier per profile, kept with the non-secret preferences."""

from __future__ import annotations

import uuid
from pathlib import Path

from app.core.profiles import ProfileStore
from app.core.vault.device import device_identifier, device_type


def test_each_profile_keeps_one_device_identifier_across_runs(tmp_path: Path) -> None:
    first = device_identifier(ProfileStore(tmp_path), "acme")
    again = device_identifier(ProfileStore(tmp_path), "acme")
    other = device_identifier(ProfileStore(tmp_path), "globex")
    assert first == again
    assert other != first
    assert str(uuid.UUID(first)) == first
    assert device_type() in (6, 7, 8)
