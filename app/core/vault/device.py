"""One stable device identifier per profile, kept with the profile's non-secret preferences.

Bitwarden e-mails the account holder on every login from an unknown device identifier and may
ask for a new-device code, so the program must present the same identifier every time.
"""

from __future__ import annotations

import platform
import uuid

from app.core.profiles import ProfileStore

#: Device types of the Bitwarden server (src/Core/Enums/DeviceType.cs): desktop apps.
DEVICE_TYPES = {"Windows": 6, "Darwin": 7}
LINUX_DESKTOP = 8
DEVICE_NAME = "SCIM Setup Assistant"


def device_type() -> int:
    return DEVICE_TYPES.get(platform.system(), LINUX_DESKTOP)


def device_identifier(store: ProfileStore, profile: str) -> str:
    """The profile's device GUID, made (and saved) the first time it is needed."""
    key = f"vault_device_identifier:{profile}"
    known = store.preferences().get(key)
    if isinstance(known, str) and known:
        return known
    made = str(uuid.uuid4())
    store.set_preference(key, made)
    return made
