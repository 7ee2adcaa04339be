"""Reads and writes of the Upload and Upload history pages, as the acting
person (:func:`components.auth.actor`).

The rules are enforced in ``data_access``: the importer refuses a check, an
upload or a restore the person may not do (a rejected result saying why),
and :mod:`data_access.uploads` narrows the history to their countries and
refuses a download they may not make. What is here only decides what the
pages show (:func:`upload_countries`, :func:`may_restore`,
:func:`may_download`). Reads are cached like every other, keyed also by the
person; the writes go through the importer, the same code path as the
command line, and clear every cache when they change something."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from data_access import export, importer, uploads
from data_access.messages import Message
from data_access.rules.access import AccessError, may
from data_access.workbook import Limits

from . import auth
from .data import clear, engine, reader
from .layout import message_text

_history = reader(uploads.history)  # (actor, countries)


def upload_history(countries: Iterable[str] | None) -> pd.DataFrame:
    """The uploads of ``countries`` (empty: all) that the acting person may
    see (their countries); newest first."""
    return _history(auth.actor(), countries)


def upload_countries(codes: Iterable[str]) -> list[str]:
    """The countries of ``codes`` the acting person may upload returns for."""
    person = auth.actor()
    return [c for c in codes if may(person, "upload", c)]


def may_restore(country: str | None) -> bool:
    return may(auth.actor(), "restore", country)


def may_download(upload: Any) -> bool:
    """Whether the acting person may download the file of ``upload`` (a row
    of :func:`upload_history`): a coordinator only their own."""
    uploader = upload.uploader_email if isinstance(upload.uploader_email, str) else upload.uploaded_by
    return may(auth.actor(), "download_upload", upload.country, uploader=uploader)


def upload_file(upload_id: int) -> bytes:
    """The original bytes of an upload, fetched only on click (not cached);
    recorded in the audit trail. Empty when refused or missing (the button
    is shown only to whoever may download)."""
    try:
        found = uploads.upload_file(engine(), auth.actor(), upload_id, auth.client_address())
    except AccessError:
        return b""
    return b"" if found is None else found[1]


def template(country: str, quarter: str) -> bytes:
    return export.template(engine(), country, quarter)


def max_upload_mb() -> float:
    return Limits.from_env().max_bytes / 1_000_000


def text(message: Message) -> str:
    """A message of the importer (its progress, its result, why a file or a
    person is refused) in the reader's language, for Markdown: its texts
    (a file's, a person's, a sheet's name) escaped."""
    return message_text(message)


def _in_words(progress: Callable[[float, str], None] | None) -> importer.Progress | None:
    """The importer's progress callback for one that takes the text to show."""
    if progress is None:
        return None
    return lambda fraction, message: progress(fraction, text(message))


def check(data: bytes, file_name: str, progress: Callable[[float, str], None] | None = None) -> importer.ImportResult:
    """Validate and work out the changes, as the acting person; writes
    nothing but the audit event. ``progress`` is given the fraction done and
    what is happening, in words."""
    return importer.import_workbook(
        engine(),
        auth.actor(),
        data,
        file_name,
        dry_run=True,
        progress=_in_words(progress),
        address=auth.client_address(),
    )


def apply(data: bytes, file_name: str, progress: Callable[[float, str], None] | None = None) -> importer.ImportResult:
    """Import the workbook, signed by the acting person."""
    result = importer.import_workbook(
        engine(), auth.actor(), data, file_name, progress=_in_words(progress), address=auth.client_address()
    )
    if result.status == importer.APPLIED:
        clear()
    return result


def restore(upload_id: int) -> importer.ImportResult:
    result = importer.restore_upload(engine(), auth.actor(), upload_id, address=auth.client_address())
    if result.status == importer.APPLIED:
        clear()
    return result
