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

from data_access import export, importer, isolated, memory, uploads
from data_access.annotate import annotate
from data_access.isolated import Summary
from data_access.messages import Message
from data_access.rules.access import AccessError, may
from data_access.rules.issues import Issue
from data_access.rules.preview import PREVIEW_ROWS
from data_access.workbook import Limits

from . import auth, sessions
from .data import clear, database_url, engine, reader
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


def upload_file(upload_id: int) -> Callable[[], bytes]:
    """The data of the download button of an upload's original file: the
    bytes are fetched only on click (not cached) for the acting person of
    this run, recorded in the audit trail, and served to this session only
    (:func:`components.sessions.download`: the address stops answering once
    the session has ended). Empty when refused or missing (the button is
    shown only to whoever may download). The click is served outside the
    page's run, so the person, their address and the database are taken
    now."""
    person, address, url = auth.actor(), auth.client_address(), database_url()

    def make() -> bytes:
        try:
            found = uploads.upload_file(engine(url), person, upload_id, address)
        except AccessError:
            return b""
        return b"" if found is None else found[1]

    return sessions.download(make)


def annotated(content: bytes, errors: list[Issue], warnings: list[Issue]) -> Callable[[], bytes]:
    """The data of the download button of the uploaded workbook with its
    problems marked: made on click, served to this session only."""

    def make() -> bytes:
        # reading the workbook back takes as much memory as checking it: it waits for one of the same slots
        with memory.IMPORTS.held():
            data = annotate(content, errors, warnings)
        memory.release()
        return data

    return sessions.download(make)


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


def check(data: bytes, file_name: str, progress: Callable[[float, str], None] | None = None) -> Summary:
    """Validate and work out the changes, as the acting person; writes
    nothing but the audit event. ``progress`` is given the fraction done and
    what is happening, in words (also while the workbook waits for others
    to be read first). What comes back holds no row changes, only their
    preview (:data:`~data_access.rules.preview.PREVIEW_ROWS` rows per
    table): that is what the page keeps. A large file is checked in a
    worker process (:mod:`data_access.isolated`)."""
    return isolated.run(
        database_url(),
        auth.actor(),
        data,
        file_name,
        dry_run=True,
        preview_rows=PREVIEW_ROWS,
        address=auth.client_address(),
        progress=_in_words(progress),
    )


def apply(data: bytes, file_name: str, progress: Callable[[float, str], None] | None = None) -> Summary:
    """Import the workbook, signed by the acting person (its preview keeps
    no rows: only the counts of each sheet)."""
    summary = isolated.run(
        database_url(),
        auth.actor(),
        data,
        file_name,
        dry_run=False,
        preview_rows=0,
        address=auth.client_address(),
        progress=_in_words(progress),
    )
    if summary.result.status == importer.APPLIED:
        clear()
    return summary


def restore(upload_id: int) -> importer.ImportResult:
    result = importer.restore_upload(engine(), auth.actor(), upload_id, address=auth.client_address())
    if result.status == importer.APPLIED:
        clear()
    return result
