"""Secrets never reach a log line: the bot token and credentials in LLM_BASE_URL.

Redaction happens where log records are made (logging's record factory), not in handlers:
every logger, every level, every handler (including logging's last resort) and every
traceback attached to a record passes through it, however logging is configured later.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4  # shorter strings would blank out ordinary words; URL patterns catch them
# user:password@ in any URL, whoever logs it.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]+@")


def url_secrets(url: str) -> list[str]:
    """The secret parts of a URL: its user:password and every query value."""
    parts = urlsplit(url)
    found = [v for _, v in parse_qsl(parts.query, keep_blank_values=False)]
    if parts.username or parts.password:
        userinfo = parts.netloc.rpartition("@")[0]
        found += [userinfo, parts.username or "", parts.password or ""]
    return [s for s in found if s]


def public_url(url: str) -> str:
    """The URL as it may be shown or stored: without credentials or query values."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    query = "&".join(f"{key}={REDACTED}" for key, _ in parse_qsl(parts.query))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class Redaction:
    """Replaces every known secret in a text; secrets can be added at any time."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, secrets: Iterable[str | None]) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)

    def __call__(self, text: str) -> str:
        # Longest first: a password inside user:password must not leave the user behind.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _USERINFO.sub(rf"\1{REDACTED}@", text)


class _RedactingFactory:
    """A log record factory over `previous` that redacts each record; install() finds its
    `redaction` again on the installed factory."""

    def __init__(self, previous: Callable[..., logging.LogRecord], redaction: Redaction):
        self.previous, self.redaction = previous, redaction

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        redaction = self.redaction
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report
            return record
        clean = redaction(message)
        if clean != message or record.args:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redaction(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redaction(record.stack_info)
        return record


def install(secrets: Iterable[str | None]) -> Redaction:
    """Redact `secrets` from every log record made from now on, in this process. Repeated
    calls add secrets to the one installed redaction."""
    factory = logging.getLogRecordFactory()
    redaction = getattr(factory, "redaction", None)
    if redaction is None:
        redaction = Redaction()
        logging.setLogRecordFactory(_RedactingFactory(factory, redaction))
    redaction.add(secrets)
    return redaction
