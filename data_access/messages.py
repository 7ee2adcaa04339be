"""Messages of the data layer for people: a stable key and its parameters.

The importer reports its progress and its result, and the workbook reader
says why it refuses a file, as a :class:`Message`. The app shows
``t(message.key, **message.params)`` in the reader's language (its English
catalogue, ``components/locales/en_upload.py``, holds the same wording as
:data:`ENGLISH`); the command line prints ``str(message)``, the English text.

Keys are stable: a test compares the app's English with :data:`ENGLISH`.
Parameters are plain values (numbers, codes, file names); templates name
them without format specs; the counts named in :data:`GROUPED` are shown
with thousands separators (the command line here, the app through
``components.formatting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A message: its ``key`` in :data:`ENGLISH` (and in the app's
    catalogues) and the ``params`` its template takes."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """The English text."""
        return ENGLISH[self.key].format(
            **{k: f"{v:,}" if k in GROUPED and isinstance(v, int) else v for k, v in self.params.items()}
        )


GROUPED = frozenset({"n", "parts", "rows", "cols"})
"""Parameters that are counts, shown with thousands separators (``12,345``);
identifiers such as an upload's number are shown as they are."""


_SAVE_AS_XLSX = 'Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.'
_CONTACT = "If it still fails, contact the programme team."
_MACROS = (
    'In Excel choose File > Save As > "Excel Workbook (.xlsx)" (this removes the macros) and upload the new .xlsx file.'
)
_TOO_BIG_UNPACKED = (
    "This workbook would take up an unusually large amount of space once opened ({detail}), so it was not read. "
    "Copy the sheets of the return into a new workbook, save it as .xlsx and upload that file. " + _CONTACT
)
_NOT_A_WORKBOOK = "This file is not an Excel workbook: it is {what} renamed to .xlsx. " + _SAVE_AS_XLSX
_OLD_XLS = "This file is in the old Excel 97-2003 format (.xls), which is not accepted. " + _SAVE_AS_XLSX

ENGLISH: dict[str, str] = {
    # ------------------------------------------------------------------ the importer's progress
    "import.progress.waiting": "Waiting for other workbooks to be read first: yours is number {place} in the queue",
    "import.progress.file": "Checking the file",
    "import.progress.sheets": "Reading every sheet",
    "import.progress.stored": "Checking against the stored data",
    "import.progress.changes": "Working out what changes",
    "import.progress.saving": "Saving",
    "import.progress.done": "Done",
    # ------------------------------------------------------------------ the importer's result
    "import.result.identical": "This file is identical to upload #{id} ({country} {quarter}), which is already "
    "applied: nothing changed.",
    "import.result.rejected": "The workbook was not imported: {n} error(s) to correct. Nothing was written.",
    "import.result.dry_run": "Dry run: the workbook is valid and would change {n} row(s) for {country} {quarter}. "
    "Nothing was written.",
    "import.result.dry_run_supersedes": "Dry run: the workbook is valid and would change {n} row(s) for {country} "
    "{quarter}. It would supersede upload #{old}. Nothing was written.",
    "import.result.applied": "Imported as upload #{id}: {n} row(s) changed for {country} {quarter}.",
    "import.result.applied_supersedes": "Imported as upload #{id}: {n} row(s) changed for {country} {quarter}. "
    "It supersedes upload #{old}.",
    "import.result.no_stored_file": "Upload #{id} does not exist or has no stored file.",
    "import.result.not_stored": "The database could not store this workbook, so nothing was written. Please tell "
    "the programme team, quoting reference {ref}.",
    # ------------------------------------------------------------------ why a workbook is refused
    "workbook.empty": "The file is empty (0 bytes). Check that you picked the right file; if so, save the workbook "
    "again from Excel or LibreOffice and upload it again.",
    "workbook.too_large": "The file is {size}, more than the {limit} allowed. Remove what the return does not need "
    "(extra sheets, pictures, unused rows), save it and upload it again.",
    "workbook.xlsm": "This file is a macro-enabled workbook (.xlsm), which is not accepted. " + _MACROS,
    "workbook.xltm": "This file is a macro-enabled workbook template (.xltm), which is not accepted. " + _MACROS,
    "workbook.xlam": "This file is a macro-enabled add-in (.xlam), which is not accepted. " + _MACROS,
    "workbook.xls": _OLD_XLS,
    "workbook.xlt": _OLD_XLS,
    "workbook.xlsb": "This file is an Excel Binary Workbook (.xlsb), which is not accepted. " + _SAVE_AS_XLSX,
    "workbook.csv": "This is a CSV file, which is not accepted: only Excel workbooks (.xlsx) are. Fill in the "
    'quarterly return template, or open the file in Excel or LibreOffice and save it as "Excel Workbook (.xlsx)", '
    "then upload it again.",
    "workbook.ods": "This is an OpenDocument spreadsheet (.ods), which is not accepted. Open it in LibreOffice, "
    'choose File > Save As > "Excel 2007-365 (.xlsx)" and upload the new file.',
    "workbook.xltx": 'This file is an Excel template (.xltx). Open it in Excel, save it as "Excel Workbook (.xlsx)" '
    "and upload it again.",
    "workbook.other_extension": '"{name}" is not an Excel workbook: only .xlsx files are accepted. ' + _SAVE_AS_XLSX,
    "workbook.no_name": '"The file" is not an Excel workbook: only .xlsx files are accepted. ' + _SAVE_AS_XLSX,
    "workbook.password": "This workbook is protected with a password, so it cannot be read. Open it in Excel, "
    "remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear the password), save it "
    "and upload it again.",
    "workbook.xls_renamed": "This file is an old Excel 97-2003 workbook (.xls) that was renamed to .xlsx, which is "
    "not accepted. " + _SAVE_AS_XLSX,
    "workbook.not_xlsx": "This file is not an Excel .xlsx workbook. " + _SAVE_AS_XLSX,
    "workbook.text_renamed": "This file is not an Excel .xlsx workbook (it looks like a text or CSV file that was "
    "renamed to .xlsx). " + _SAVE_AS_XLSX,
    "workbook.damaged": "This workbook seems to be damaged or incomplete (for example the copy or download was cut "
    "short). Open it in Excel or LibreOffice, save it again as .xlsx and upload the new file. " + _CONTACT,
    "workbook.unreadable": "This workbook could not be read safely, so nothing was imported. Open it in Excel or "
    "LibreOffice, save it again as .xlsx and upload it again. " + _CONTACT,
    "workbook.too_many_parts": _TOO_BIG_UNPACKED.replace("{detail}", "{parts} internal parts"),
    "workbook.part_expands": _TOO_BIG_UNPACKED.replace(
        "{detail}", "one part of it expands from {packed} to {unpacked}"
    ),
    "workbook.expands": _TOO_BIG_UNPACKED.replace("{detail}", "about {size}"),
    "workbook.word": _NOT_A_WORKBOOK.replace("{what}", "a Word document"),
    "workbook.powerpoint": _NOT_A_WORKBOOK.replace("{what}", "a PowerPoint presentation"),
    "workbook.opendocument": _NOT_A_WORKBOOK.replace("{what}", "an OpenDocument file (for example .ods)"),
    "workbook.zip": _NOT_A_WORKBOOK.replace("{what}", "a compressed (zip) file, not a workbook"),
    "workbook.macro": "This file is a macro-enabled workbook, which is not accepted. " + _MACROS,
    "workbook.grid_too_large": 'The sheet "{sheet}" has content spread over {rows} rows and {cols} columns '
    "(down to cell {cell}), too much to read. Delete the rows and columns that the return does not use (also cells "
    "that only look empty, for example holding a space), save the workbook and upload it again.",
    # ------------------------------------------------------------------ access: refusals and bad input
    **{
        "access.refused.no_account": "Signed in as {email}, but you have no access yet.",
        "access.refused.read": "Your role ({role}) does not allow reading the dashboard.",
        "access.refused.export": "Your role ({role}) does not allow exporting data.",
        "access.refused.check": "Your role ({role}) does not allow checking returns: coordinators, managers and "
        "administrators may.",
        "access.refused.upload": "Your role ({role}) does not allow uploading returns: coordinators, managers and "
        "administrators may.",
        "access.refused.restore": "Your role ({role}) does not allow restoring uploads: managers and administrators "
        "may.",
        "access.refused.download_upload": "Your role ({role}) does not allow downloading uploaded files.",
        "access.refused.manage_users": "Your role ({role}) does not allow managing accounts: managers and "
        "administrators may.",
        "access.refused.read_audit": "Your role ({role}) does not allow reading the audit trail: administrators may.",
        "access.refused.country": "{country} is outside your access (your countries: {countries}).",
        "access.refused.not_uploader": "This file was uploaded by {uploader}: coordinators may download only the "
        "files they uploaded.",
        "access.refused.manage_role": "Only an administrator may give, change or remove the role {role}.",
        "access.invalid.email": '"{email}" is not an e-mail address.',
        "access.invalid.role": '"{role}" is not a role: use one of {roles}.',
        "access.invalid.country": '"{country}" is not a country code: use one of {codes}.',
        "access.invalid.no_country": "A coordinator needs at least one country.",
        "access.unknown_user": "{email} has no account.",
        "access.unknown_request": "Access request #{id} is not pending any more (granted or dismissed meanwhile).",
        "access.user_exists": "{email} already has an account: change its role instead.",
        "access.last_admin": "{email} is the last administrator: add another administrator first.",
    },
}
