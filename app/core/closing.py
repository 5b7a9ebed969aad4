"""`Closing`: the context-manager protocol of the core's network clients.

Each client owns connections; `with Client(...) as client:` closes them at the end, whatever
happened. A client defines `close()` and inherits the rest.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """`__enter__` returns the client; `__exit__` calls its `close()`."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
