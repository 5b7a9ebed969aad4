"""The one base of every network client's error, so a caller reads the same three facts from any.

`PublicApiError`, `ScimError`, `BwServeError`, `VaultError` and `OktaError` derive from
`ClientError`: the GUI and the commands catch it once and read `message`, `status` and
`retry_after` without probing attributes.
"""

from __future__ import annotations


class ClientError(Exception):
    """A failed call; `str()` and `message` are a plain sentence, never a secret.

    `status` is the HTTP status when the server answered (None when it did not); `retry_after`
    the seconds the server asked us to wait (a 429's `Retry-After`), None when it did not say.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
