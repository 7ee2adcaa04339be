"""The uploads as a person may see them: the history of the returns of their
countries, and the original files, downloaded under the rules.

Both take the acting person (an :class:`~data_access.rules.access.Actor`)
and enforce :mod:`data_access.rules.access` here: reading the history
needs ``check`` (coordinators and up) and covers the person's countries
only; downloading a file needs ``download_upload`` for the upload's country
(a coordinator only the files they uploaded themselves). A refusal raises
:class:`~data_access.rules.access.AccessError` carrying the message. Each
download leaves one audit event, ``upload.download`` or ``refused``.

Importing and restoring are in :mod:`data_access.importer`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, false, select

from . import audit, queries, sql
from .models import Country, Upload
from .rules.access import AccessError, Actor, refusal, visible_countries


def history(engine: Engine, actor: Actor, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Every upload of ``countries`` (None or empty: all) that ``actor`` may
    see, newest first, without the files (the columns of
    :func:`data_access.queries.upload_history`, with ``uploader_email``).
    Raises :class:`AccessError` when the person may not check returns."""
    why = refusal(actor, "check")
    if why is not None:
        raise AccessError(why)
    with engine.connect() as conn:
        codes = list(conn.execute(select(Country.code).order_by(Country.code)).scalars())
    shown = visible_countries(actor, list(countries) if countries else None, codes)
    stmt = queries.upload_history_select(shown)
    if shown is not None and not shown:  # none of the countries asked for is theirs
        stmt = stmt.where(false())
    return sql.frame(engine, stmt)


def upload_file(engine: Engine, actor: Actor, upload_id: int, address: str | None = None) -> tuple[str, bytes] | None:
    """The file name and the original bytes of upload ``upload_id``, exactly
    as sent; None when there is no such upload or it has no stored file.
    Raises :class:`AccessError` when ``actor`` may not download it; records
    the download (or the refusal) in the audit trail."""
    why = refusal(actor, "download_upload")
    if why is not None:
        audit.refused(engine, actor, "download_upload", why.key, address=address, upload_id=upload_id)
        raise AccessError(why)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                Upload.file_name,
                Upload.content,
                Upload.country_code,
                Upload.quarter,
                Upload.uploaded_by,
                Upload.uploader_email,
            ).where(Upload.id == upload_id)
        ).first()
    if row is None or row.content is None:
        return None
    # Uploads from before sign-in have no e-mail: the name typed then stands in.
    uploader = row.uploader_email or row.uploaded_by
    why = refusal(actor, "download_upload", row.country_code, uploader=uploader)
    if why is not None:
        audit.refused(
            engine,
            actor,
            "download_upload",
            why.key,
            row.country_code,
            row.quarter,
            address,
            upload_id=upload_id,
            file_name=row.file_name,
        )
        raise AccessError(why)
    audit.log(
        engine,
        actor,
        "upload.download",
        row.country_code,
        row.quarter,
        address,
        upload_id=upload_id,
        file_name=row.file_name,
    )
    return row.file_name, row.content
