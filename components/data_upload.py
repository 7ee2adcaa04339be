"""Reads and writes of the Upload and Upload history pages.

Reads are cached like every other; the writes (import, restore) go through
the importer, the same code path as the command line, and clear every cache
when they change something."""

from __future__ import annotations

from collections.abc import Callable

from data_access import export, importer, queries
from data_access.messages import GROUPED, Message
from data_access.workbook import Limits

from . import formatting as fmt
from .data import clear, engine, reader
from .i18n import t

upload_history = reader(queries.upload_history)  # (countries)


def upload_content(upload_id: int) -> tuple[str, bytes] | None:
    """Not cached: files can be large and are fetched only on click."""
    return queries.upload_content(engine(), upload_id)


def template(country: str, quarter: str) -> bytes:
    return export.template(engine(), country, quarter)


def max_upload_mb() -> float:
    return Limits.from_env().max_bytes / 1_000_000


def text(message: Message) -> str:
    """A message of the importer (its progress, its result, why a file is
    refused) in the reader's language."""
    params = {k: fmt.number(v) if k in GROUPED and isinstance(v, int) else v for k, v in message.params.items()}
    return t(message.key, **params)


def _in_words(progress: Callable[[float, str], None] | None) -> importer.Progress | None:
    """The importer's progress callback for one that takes the text to show."""
    if progress is None:
        return None
    return lambda fraction, message: progress(fraction, text(message))


def check(
    data: bytes, file_name: str, user: str, progress: Callable[[float, str], None] | None = None
) -> importer.ImportResult:
    """Validate and work out the changes; writes nothing. ``progress`` is
    given the fraction done and what is happening, in words."""
    return importer.import_workbook(engine(), data, file_name, user, dry_run=True, progress=_in_words(progress))


def apply(
    data: bytes, file_name: str, user: str, progress: Callable[[float, str], None] | None = None
) -> importer.ImportResult:
    result = importer.import_workbook(engine(), data, file_name, user, progress=_in_words(progress))
    if result.status == importer.APPLIED:
        clear()
    return result


def restore(upload_id: int, user: str) -> importer.ImportResult:
    result = importer.restore_upload(engine(), upload_id, user)
    if result.status == importer.APPLIED:
        clear()
    return result
