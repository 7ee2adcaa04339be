"""Incidents: an unexpected error, logged in full under a short reference.

Whoever met the error is shown only a short message with the reference (the
app: ``error.unexpected``; the command line: one line; the importer: a
rejected result); the server's log holds the traceback under the same
reference, so that a person quoting it can be helped without the error's
internals (SQL, parameters, file paths) ever reaching them.
"""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger(__name__)


def reference() -> str:
    """A fresh incident reference: 8 hexadecimal digits (``3f9c0a1b``)."""
    return secrets.token_hex(4)


def report(exc: BaseException, what: str) -> str:
    """Log ``exc`` with its traceback as an incident (``what`` says what was
    being done) and return the incident's reference."""
    ref = reference()
    log.error("incident %s: %s: %s", ref, what, type(exc).__name__, exc_info=exc)
    return ref
