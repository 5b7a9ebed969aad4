"""Log redaction: every known secret masked in every log record of the process.

On its own (not in `app.core.http`) because it is about logging, not HTTP: the keyring store, the
commands and every client register a secret here the moment it enters the program. Besides the
raw value, the escaped spellings an exception text would show (`\\x00` for a NUL in a key read
as UTF-16, as `repr` and httpx's header errors write it) are masked too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from pydantic import SecretStr

_MASK = "***"
_MIN_SECRET_LENGTH = 6


class RedactingFilter(logging.Filter):
    """Masks every known secret in a record's message, arguments and exception text."""

    def __init__(self, secrets: Iterable[SecretStr | str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self.add(*secrets)

    def __repr__(self) -> str:
        return f"RedactingFilter({len(self._secrets)} secrets)"

    def add(self, *secrets: SecretStr | str | None) -> None:
        with self._lock:
            for secret in secrets:
                value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
                if value and len(value) >= _MIN_SECRET_LENGTH:
                    self._secrets.update(_spellings(value))

    @property
    def active(self) -> bool:
        return bool(self._secrets)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, _MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, self)
        return True


def _redact_record(record: logging.LogRecord, redactor: RedactingFilter) -> None:
    """Rewrite the record only where a secret occurs, so ordinary records keep their args."""
    if not redactor.active:
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: check the raw template instead
        message = str(record.msg)
    redacted = redactor.redact(message)
    if redacted != message:
        record.msg = redacted
        record.args = None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if redactor.redact(text) != text:
            record.exc_text = redactor.redact(text)
    elif record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)


_GLOBAL_FILTER = RedactingFilter()
_factory_lock = threading.Lock()
_factory_installed = False


def install_log_redaction(*secrets: SecretStr | str | None) -> RedactingFilter:
    """Mask these secrets in every log record of the process, whichever logger or handler emits it.

    Works through the log-record factory, so records are redacted when created, before any handler
    (including ones added later) formats them. Returns the process-wide filter.
    """
    global _factory_installed
    _GLOBAL_FILTER.add(*secrets)
    with _factory_lock:
        if not _factory_installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: object, **kwargs: object) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _redact_record(record, _GLOBAL_FILTER)
                return record

            logging.setLogRecordFactory(factory)
            _factory_installed = True
    return _GLOBAL_FILTER


def _spellings(value: str) -> set[str]:
    """The secret as logged raw, and as `repr` or an escaping error message would show it."""
    spellings = {value, repr(value)[1:-1], value.encode("unicode_escape").decode("ascii")}
    with_bytes = value.encode("utf-8", "surrogatepass")
    spellings.add(repr(with_bytes)[2:-1])
    return {s for s in spellings if s}
