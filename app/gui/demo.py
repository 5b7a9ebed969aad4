"""Demo wiring: the GUI against an embedded sandbox organization, touching nothing of the admin's.

`create_demo_context()` is cheap and runs before the first paint: an in-memory keyring, a throwaway
profile/history directory. The sandbox (seeding, binding a port) starts afterwards in a background
task (`Demo.start`), so the first wizard page paints as fast as a bare QWizard. The values a real
admin would copy from the Admin Console are then offered as `DemoValues`.

The sandbox also plays Okta on the assignments page: `okta_pushes` has the sandbox's Okta org
assign the demo people to its Bitwarden app, which provisions them to the sandbox's SCIM endpoint
over HTTP exactly as Okta does (and logs it in its System Log), then pushes a group; some people
accept their invitation a little later. This is the only module of the GUI that knows both
`app.core` and `app.sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Signal

from app.gui.context import AppContext, Stores

if TYPE_CHECKING:
    from pydantic import SecretStr

    from app.core.public_api import MemberStatus
    from app.gui.tasks import Task, TaskControl
    from app.sandbox.okta.sandbox import OktaSandbox
    from app.sandbox.server import Sandbox

#: Seconds after Okta's push at which the first demo people accept their invitations.
ACCEPT_DELAY = 4.0
#: Members the demo organization starts with (a realistic mix of statuses).
DEMO_MEMBERS = 25
DEMO_ORGANIZATION = "Demo organization"


@dataclass(frozen=True)
class DemoValues:
    """What the admin would copy from the Admin Console; prefilled in the demo."""

    server_url: str
    scim_url: str
    scim_key: SecretStr
    client_id: str
    client_secret: SecretStr
    bw_password: SecretStr
    control_url: str


def isolate_settings() -> Path:
    """Point Qt's settings (window layout, refresh interval, the file dialog's QtProject.conf) at
    a throwaway folder: the demo writes nothing into the admin's config. Removed at exit."""
    import atexit
    import shutil
    import tempfile

    from PySide6.QtCore import QSettings

    folder = Path(tempfile.mkdtemp(prefix="scim-assistant-demo-settings-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))
    return folder


def create_demo_context(root: Path | None = None) -> AppContext:
    """A context with an in-memory keyring and a throwaway directory; no sandbox yet.

    Cheap: the stores are built on first use, after the first page has painted.
    """

    def build() -> Stores:
        import tempfile

        from app.core.history import History
        from app.core.memory_keyring import MemoryKeyring
        from app.core.profiles import ProfileStore
        from app.core.secrets import SecretStore

        folder = root
        if folder is None:
            import atexit
            import shutil

            # The demo's profile file and history (member e-mails) go with the demo.
            folder = Path(tempfile.mkdtemp(prefix="scim-assistant-demo-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        secrets = SecretStore(backend=MemoryKeyring())
        history = History(path=folder / "history.sqlite3")
        profiles = ProfileStore(config_dir=folder / "config", secrets=secrets, history=history)
        return Stores(secrets, profiles, history)

    return AppContext(build, demo=True)


def start_sandbox(members: int = DEMO_MEMBERS, seed: int | None = None) -> Sandbox:
    """Seed and serve the demo organization on 127.0.0.1 (blocking: call it in a task)."""
    from app.sandbox.server import Sandbox

    return Sandbox.start(host="127.0.0.1", port=0, members=members, seed=seed)


def values_from_info(info: dict[str, str]) -> DemoValues:
    from pydantic import SecretStr

    base = info["api_url"].removesuffix("/api")
    return DemoValues(
        server_url=base,
        scim_url=info["scim_url"],
        scim_key=SecretStr(info["scim_key"]),
        client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]),
        bw_password=SecretStr(info["bw_password"]),
        control_url=info["control_url"],
    )


def okta_pushes(
    okta: OktaSandbox,
    info: dict[str, str],
    control: TaskControl,
    accept_delay: float = ACCEPT_DELAY,
) -> int:
    """Okta's push after the admin assigned people; then some of them accept. Returns users created.

    Progress reports the number of users Okta has provisioned so far. Qt-free: runs in a task.
    """
    from app.sandbox.okta import scim_push

    provisioned = 0
    created_ids: list[str] = []
    for person in scim_push.DEMO_PEOPLE:
        control.raise_if_cancelled()
        if okta.demo_assign(person.email):
            provisioned += 1
            member_id = okta.bitwarden_id(person.email)
            if member_id:
                created_ids.append(member_id)
        control.progress(provisioned)
    control.raise_if_cancelled()
    okta.demo_push_group()
    # Some people read their invitation e-mail a little later and accept it.
    for member_id in created_ids[::2]:
        if control.token.wait(accept_delay / 2):
            break
        scim_push.accept_invitation(info["control_url"], member_id)
    return provisioned


class Demo(QObject):
    """Starts the sandbox off the GUI thread and says when the demo values are there."""

    ready = Signal()
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sandbox: Sandbox | None = None
        self._tasks: list[Task[int]] = []

    @classmethod
    def running(cls, ctx: AppContext, sandbox: Sandbox, parent: QObject | None = None) -> Demo:
        """A demo around a sandbox that is already serving (tests, screenshots)."""
        demo = cls(ctx, parent)
        demo._attach(sandbox)
        return demo

    @property
    def is_ready(self) -> bool:
        return self.ctx.sandbox_info is not None

    @property
    def values(self) -> DemoValues | None:
        info = self.ctx.sandbox_info
        return values_from_info(info) if info is not None else None

    def start(self) -> None:
        """Start the sandbox in the background; `ready` (or `failed`) follows on the GUI thread."""
        from app.gui.tasks import run_task

        run_task(
            self,
            lambda _control: start_sandbox(),
            on_success=self._attach_and_announce,
            on_failure=lambda exc: self.failed.emit(
                self.tr("The demo organization could not be started: {0}").format(exc)
            ),
        )

    def push_as_okta(self) -> Task[int]:
        """Okta's push after "I assigned users"; progress = users provisioned so far.

        Owned by the demo, not by a page: people keep accepting after the admin moves on.
        """
        info = self.ctx.sandbox_info
        okta = self.sandbox.okta if self.sandbox is not None else None
        if info is None or okta is None:
            raise RuntimeError("the demo organization is not running yet")
        from app.gui.tasks import run_task

        task = run_task(self, lambda control: okta_pushes(okta, info, control, ACCEPT_DELAY))
        self._tasks.append(task)
        return task

    def stop(self) -> None:
        """Cancel Okta's pushes and stop the sandbox."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            sandbox.stop()

    def _attach(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.ctx.sandbox_info = dict(sandbox.info)
        if sandbox.okta is not None:
            self.ctx.seed_okta_fault = sandbox.okta.faults.apply

    def _attach_and_announce(self, sandbox: Sandbox) -> None:
        self._attach(sandbox)
        seed_demo_history(self.ctx, sandbox)
        self.ready.emit()


def seed_demo_history(ctx: AppContext, sandbox: Sandbox) -> int:
    """The demo only: the history as if an earlier run had seen each pending invitation when the
    sandbox says it was sent, so the members window shows expiring and expired invitations.

    A real organization's history starts at the first refresh (Bitwarden reports no invitation
    dates); the demo's sandbox knows them, and its throwaway history may borrow them. Returns how
    many invitations were written."""
    from app.core.public_api import MemberStatus

    with sandbox.state.lock:
        invited = [
            (m.id, m.email, m.invited_at)
            for m in sandbox.state.members.values()
            if int(m.status) == int(MemberStatus.INVITED) and m.invited_at is not None
        ]
    for member_id, email, invited_at in invited:
        seen = _Sighting(member_id, email, MemberStatus.INVITED)
        ctx.history.record(DEMO_ORGANIZATION, [seen], now=invited_at)
    return len(invited)


class _Sighting(NamedTuple):
    id: str
    email: str
    status: MemberStatus
