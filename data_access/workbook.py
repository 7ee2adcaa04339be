"""Hardened reader for uploaded Excel workbooks (.xlsx).

``read_workbook(data, filename)`` returns every sheet of the workbook as a
grid of plain Python values, or raises ``UnsafeWorkbook`` whose message is
written for the person who uploaded the file: what is wrong and what to do.

How a file is read
------------------
1. Cheap checks in this process, without ever inflating the archive: empty
   file, size, file name extension (only ``.xlsx``), magic bytes (old binary
   ``.xls`` and password-protected workbooks are both OLE2/CFB files; a
   password-protected one holds an ``EncryptionInfo`` stream), a readable zip
   central directory, the parts every workbook has, macro content (macro
   content type, ``vbaProject.bin``, Excel 4 macro sheets) and zip-bomb
   heuristics from the central directory only (declared total size, per-part
   compression ratio, number of parts, unusual compression methods, duplicate
   or encrypted parts). Only ``[Content_Types].xml`` is decompressed, with a
   bounded read.
2. Parsing with python-calamine in a child process (``_xlsx_child.py``, run as
   a standalone script so neither this package nor pandas is imported there),
   under ``RLIMIT_AS`` (``Limits.memory_bytes``), ``RLIMIT_CPU`` and no core
   dumps, with a wall-clock timeout (``Limits.timeout_s``) enforced here. Any
   death of the child (signal, abort, MemoryError, non-zero exit, timeout,
   output that is not the expected pickle) becomes ``UnsafeWorkbook`` with a
   calm message; the details go to the log. The child's pickle is loaded
   with an unpickler that only admits ``datetime.date/datetime/time``, so even
   a child subverted by a crafted file cannot run code in the app.
   Declared sizes in a zip can lie: python-calamine's zip reader stops with
   "File is larger than its declared uncompressed size" (tested), and the
   child's limits would hold if it did not.
3. The child refuses a workbook whose sheets span more than
   ``Limits.max_grid_cells`` cells in total (rows x columns from A1 to the
   last used cell), before turning them into Python objects.

Why the child process is not optional: python-calamine builds a dense grid
from A1 to the last used cell in Rust before Python sees anything. A 6 kB
workbook with one value in XFD1048576 makes it request a 550 GB allocation
and abort the process (SIGABRT, "memory allocation ... failed"); in-process
that would take the whole app down (tested). Grids that fit in memory but are
huge are caught by ``max_grid_cells``; the rest by ``RLIMIT_AS``.

Speed: 50,000 rows x 11 columns (inline strings from openpyxl, or shared
strings from LibreOffice) take about 1.0-1.1 s end to end on the development
machine, of which ~0.7 s is calamine parsing the sheet and ~0.05 s starting
the child. Equal strings and dates are shared before pickling (see the child),
which cut the transfer from ~0.5 s to ~0.07 s.

Each upload costs one child process of up to ``memory_bytes`` of address
space for up to ``timeout_s``; concurrent uploads run concurrent children.

Values (python-calamine 0.9.1, findings checked by the tests)
-------------------------------------------------------------
* Grids start at A1 (``skip_empty_area=False``): ``rows[r][c]`` is Excel cell
  ``cell_ref(r, c)``. Grids are rectangular up to the last used row/column;
  cells that only carry formatting do not extend them. Empty cells (which
  calamine returns as ``""``) are ``None``; so is a formula whose cached
  value is the empty string.
* Numbers are always ``float`` for .xlsx, also whole ones (73715 ->
  ``73715.0``). Text that looks like a number stays ``str`` (``"73 715"``),
  surrounding spaces included (trimming is the validator's job).
* Booleans are ``bool``.
* Date/time-formatted cells: calamine decides the type from the value, not
  the format: a whole serial -> ``datetime.date``; a serial with a time part
  -> ``datetime.datetime`` (rounded to the millisecond, so LibreOffice's
  ``45382.5208333333`` is exactly 12:30); a serial in [0, 1) ->
  ``datetime.time``; negative serials also become ``time(0, 0)`` (lossy, but
  Excel shows ``#####`` for them anyway); serials beyond 9999-12-31 stay
  ``float``. Serial 60 (Excel's fictitious 1900-02-29) becomes 1900-02-28.
  The 1904 date system is honoured. Duration formats (``[h]:mm``) come back
  as ``timedelta``; this reader turns them into ``float`` days (the raw
  Excel value). openpyxl (data_only=True) returns ``datetime`` at midnight
  where calamine returns ``date``, and ``int`` where calamine returns a whole
  ``float``; apart from that and error cells (below), the values agree on
  openpyxl- and LibreOffice-written workbooks (tested).
* Formula cells: the cached value, typed as above.
* Error cells (``#N/A``, ``#DIV/0!``, ``#REF!`` ..., cached or constant)
  come back EMPTY (``None``), indistinguishable from a blank cell: calamine
  0.9.1 maps its ``Error`` values to ``""``. openpyxl would give the error
  text ``"#N/A"``.
* Formulas without a cached value (written by openpyxl/xlsxwriter and never
  opened in a spreadsheet program) also come back EMPTY. python-calamine
  0.9.1 exposes neither formulas nor error cells, so ``RawSheet`` has no
  ``formula_without_value`` field: a required field whose cell is a formula
  without cached value (or an error) is reported by the validator as missing.
* Hidden and very hidden sheets are read like visible ones
  (``hidden=True``). Chart sheets appear with no rows.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import pickle
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "UnsafeWorkbook",
    "Limits",
    "RawSheet",
    "RawWorkbook",
    "read_workbook",
    "column_letter",
    "cell_ref",
]

log = logging.getLogger(__name__)

_CHILD_SCRIPT = Path(__file__).with_name("_xlsx_child.py")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RATIO_MIN_SIZE = 1_000_000  # members smaller than this are not ratio-checked
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_PART = "xl/workbook.xml"
_MAX_CONTENT_TYPES_BYTES = 1_000_000
_MAX_CHILD_STDERR_LOGGED = 2_000


class UnsafeWorkbook(Exception):
    """File refused before/while reading.

    ``str(exc)`` is a plain-language message for a non-technical user that
    says what is wrong and what to do. Never a traceback or library jargon.
    """


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10_000_000  # file size
    max_cell_chars: int = 2_000  # checked later by the validator
    max_rows: int = 50_000  # data rows per sheet, checked later by the validator
    max_uncompressed: int = 300_000_000  # sum of declared uncompressed sizes in the zip
    max_ratio: int = 200  # per-member uncompressed/compressed ratio, members > 1 MB
    max_members: int = 5_000
    timeout_s: float = 60.0  # child process wall time
    memory_bytes: int = 2_000_000_000  # child address-space limit (RLIMIT_AS)
    # Total cells (rows x columns from A1 to the last used cell, all sheets)
    # the child turns into Python values; a guard for memory and time.
    max_grid_cells: int = 10_000_000

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, overridden by ``DASHBOARD_MAX_FILE_MB``, ``DASHBOARD_MAX_ROWS``
        and ``DASHBOARD_MAX_CELL_CHARS`` where set."""
        kw = {}
        for var, name, scale in (
            ("DASHBOARD_MAX_FILE_MB", "max_bytes", 1_000_000),
            ("DASHBOARD_MAX_ROWS", "max_rows", 1),
            ("DASHBOARD_MAX_CELL_CHARS", "max_cell_chars", 1),
        ):
            raw = os.environ.get(var)
            if raw:
                try:
                    kw[name] = int(float(raw) * scale)
                except ValueError:
                    log.warning("ignoring %s=%r: not a number", var, raw)
        return cls(**kw)


@dataclass
class RawSheet:
    name: str  # as written in the workbook
    hidden: bool
    # Full grid from cell A1 (row 0 = Excel row 1, col 0 = column A); ragged
    # rows allowed; empty cell -> None; values are str | int | float | bool |
    # datetime.date | datetime.datetime | datetime.time
    rows: list[list]


@dataclass
class RawWorkbook:
    sheets: list[RawSheet] = field(default_factory=list)


# ---------------------------------------------------------------- helpers


def column_letter(col_index0: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA', 16383 -> 'XFD'."""
    if not isinstance(col_index0, int) or col_index0 < 0:
        raise ValueError(f"column index must be a non-negative int, got {col_index0!r}")
    letters = []
    n = col_index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters.append(chr(ord("A") + rem))
    return "".join(reversed(letters))


def cell_ref(row_index0: int, col_index0: int) -> str:
    """(11, 5) -> 'F12'."""
    if not isinstance(row_index0, int) or row_index0 < 0:
        raise ValueError(f"row index must be a non-negative int, got {row_index0!r}")
    return f"{column_letter(col_index0)}{row_index0 + 1}"


# --------------------------------------------------------------- messages

_SAVE_AS_XLSX = 'Open it in Excel or LibreOffice, save it as "Excel Workbook (.xlsx)" and upload it again.'
_CONTACT = "If it still fails, contact the programme team."

_MSG_EMPTY = (
    "The file is empty (0 bytes). Check that you picked the right file; "
    "if so, save the workbook again from Excel or LibreOffice and upload it again."
)
_MSG_MACRO = (
    "This file is a macro-enabled workbook, which is not accepted. In Excel "
    'choose File > Save As > "Excel Workbook (.xlsx)" (this removes the macros) '
    "and upload the new .xlsx file."
)
_MSG_MACRO_XLSM = (
    "This file is a macro-enabled workbook (.xlsm), which is not accepted. "
    'In Excel choose File > Save As > "Excel Workbook (.xlsx)" (this removes '
    "the macros) and upload the new .xlsx file."
)
_MSG_OLD_XLS = "This file is in the old Excel 97-2003 format (.xls), which is not accepted. " + _SAVE_AS_XLSX
_MSG_OLD_XLS_RENAMED = (
    "This file is an old Excel 97-2003 workbook (.xls) that was renamed "
    "to .xlsx, which is not accepted. " + _SAVE_AS_XLSX
)
_MSG_PASSWORD = (
    "This workbook is protected with a password, so it cannot be read. Open it "
    "in Excel, remove the password (File > Info > Protect Workbook > Encrypt "
    "with Password, then clear the password), save it and upload it again."
)
_MSG_DAMAGED = (
    "This workbook seems to be damaged or incomplete (for example the copy or "
    "download was cut short). Open it in Excel or LibreOffice, save it again "
    "as .xlsx and upload the new file. " + _CONTACT
)
_MSG_UNREADABLE = (
    "This workbook could not be read safely, so nothing was imported. Open "
    "it in Excel or LibreOffice, save it again as .xlsx and upload it again. " + _CONTACT
)
_MSG_TOO_BIG_UNPACKED = (
    "This workbook would take up an unusually large amount of space "
    "once opened ({detail}), so it was not read. Copy the sheets of the "
    "return into a new workbook, save it as .xlsx and upload that file. " + _CONTACT
)

_EXTENSION_MESSAGES = {
    ".xlsm": _MSG_MACRO_XLSM,
    ".xltm": _MSG_MACRO_XLSM.replace("(.xlsm)", "template (.xltm)"),
    ".xlam": _MSG_MACRO_XLSM.replace("workbook (.xlsm)", "add-in (.xlam)"),
    ".xls": _MSG_OLD_XLS,
    ".xlt": _MSG_OLD_XLS,
    ".xlsb": ("This file is an Excel Binary Workbook (.xlsb), which is not accepted. " + _SAVE_AS_XLSX),
    ".csv": (
        "This is a CSV file, which is not accepted: only Excel workbooks (.xlsx) "
        "are. Fill in the quarterly return template, or open the file in Excel or "
        'LibreOffice and save it as "Excel Workbook (.xlsx)", then upload it again.'
    ),
    ".ods": (
        "This is an OpenDocument spreadsheet (.ods), which is not accepted. Open it "
        'in LibreOffice, choose File > Save As > "Excel 2007-365 (.xlsx)" and upload '
        "the new file."
    ),
    ".xltx": (
        "This file is an Excel template (.xltx). Open it in Excel, save it as "
        '"Excel Workbook (.xlsx)" and upload it again.'
    ),
}


def _fail(message: str, reason: str, *args) -> UnsafeWorkbook:
    log.info("workbook refused: " + reason, *args)
    return UnsafeWorkbook(message)


def _mb(n: int, round_up: bool = False) -> str:
    tenths = -(-n // 100_000) if round_up else round(n / 100_000)
    return f"{tenths / 10:.1f} MB".replace(".0 MB", " MB")


# ------------------------------------------------------------ cheap checks


def _check_name_and_size(data: bytes, filename: str, limits: Limits) -> None:
    if not data:
        raise _fail(_MSG_EMPTY, "empty file")
    if len(data) > limits.max_bytes:
        raise _fail(
            f"The file is {_mb(len(data), round_up=True)}, more than the {_mb(limits.max_bytes)} allowed. "
            "Remove what the return does not need (extra sheets, pictures, unused rows), "
            "save it and upload it again.",
            "size %d > %d",
            len(data),
            limits.max_bytes,
        )
    base = os.path.basename((filename or "").replace("\\", "/")).strip()
    ext = os.path.splitext(base)[1].lower()
    if ext == ".xlsx":
        return
    if ext in _EXTENSION_MESSAGES:
        raise _fail(_EXTENSION_MESSAGES[ext], "extension %s", ext)
    shown = base if base else "The file"
    raise _fail(
        f'"{shown}" is not an Excel workbook: only .xlsx files are accepted. ' + _SAVE_AS_XLSX, "extension %r", ext
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 text
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return False
    return True


def _check_magic(data: bytes) -> None:
    if data[:8] == _CFB_MAGIC:
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _fail(_MSG_PASSWORD, "CFB with EncryptionInfo")
        raise _fail(_MSG_OLD_XLS_RENAMED, "CFB without EncryptionInfo")
    if not data.startswith(b"PK"):
        hint = ""
        if _looks_like_text(data[:4096]):
            hint = " (it looks like a text or CSV file that was renamed to .xlsx)"
        raise _fail(f"This file is not an Excel .xlsx workbook{hint}. " + _SAVE_AS_XLSX, "no zip signature")


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        IndexError,
        KeyError,
        OverflowError,
        UnicodeDecodeError,
    ) as exc:
        raise _fail(_MSG_DAMAGED, "bad zip directory: %r", exc) from None


def _check_archive(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _fail(
            _MSG_TOO_BIG_UNPACKED.format(detail=f"{len(infos):,} internal parts"),
            "members %d > %d",
            len(infos),
            limits.max_members,
        )
    lowered = [i.filename.lower() for i in infos]
    if len(set(lowered)) != len(lowered):
        raise _fail(_MSG_DAMAGED, "duplicate member names")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _fail(_MSG_DAMAGED, "encrypted zip member %r", info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(_MSG_DAMAGED, "compression method %d in %r", info.compress_type, info.filename)
        total += info.file_size
        if info.file_size > _RATIO_MIN_SIZE and (
            info.compress_size <= 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            raise _fail(
                _MSG_TOO_BIG_UNPACKED.format(
                    detail=f"one part of it expands from {_mb(info.compress_size)} to {_mb(info.file_size)}"
                ),
                "ratio %d/%d in %r",
                info.file_size,
                info.compress_size,
                info.filename,
            )
    if total > limits.max_uncompressed:
        raise _fail(
            _MSG_TOO_BIG_UNPACKED.format(detail=f"about {_mb(total)}"),
            "declared total %d > %d",
            total,
            limits.max_uncompressed,
        )

    names = {i.filename for i in infos}
    if _CONTENT_TYPES not in names or _WORKBOOK_PART not in names:
        if "word/document.xml" in names:
            what = "a Word document"
        elif "ppt/presentation.xml" in names:
            what = "a PowerPoint presentation"
        elif "content.xml" in names and "mimetype" in names:
            what = "an OpenDocument file (for example .ods)"
        else:
            what = "a compressed (zip) file, not a workbook"
        raise _fail(
            f"This file is not an Excel workbook: it is {what} renamed to .xlsx. " + _SAVE_AS_XLSX, "no workbook parts"
        )

    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
        raise _fail(_MSG_MACRO, "vbaProject.bin or macro sheet member")
    ct_info = zf.getinfo(_CONTENT_TYPES)
    if ct_info.file_size > _MAX_CONTENT_TYPES_BYTES:
        raise _fail(_MSG_DAMAGED, "content types declared %d bytes", ct_info.file_size)
    try:
        with zf.open(ct_info) as fh:
            content_types = fh.read(_MAX_CONTENT_TYPES_BYTES + 1)
    except Exception as exc:  # zlib.error, BadZipFile, EOFError, ...
        raise _fail(_MSG_DAMAGED, "content types unreadable: %r", exc) from None
    if len(content_types) > _MAX_CONTENT_TYPES_BYTES:
        raise _fail(_MSG_DAMAGED, "content types larger than declared")
    ct = content_types.lower()
    if b"macroenabled" in ct or b"vbaproject" in ct or b"macrosheet" in ct:
        raise _fail(_MSG_MACRO, "macro content type")


# ------------------------------------------------------------ child process


class _ResultUnpickler(pickle.Unpickler):
    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"forbidden class {module}.{name}")


def _run_child(data: bytes, limits: Limits) -> dict:
    cmd = [
        sys.executable,
        "-P",
        str(_CHILD_SCRIPT),
        str(int(limits.memory_bytes)),
        str(max(1, int(limits.timeout_s + 0.999))),
        str(int(limits.max_grid_cells)),
    ]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=limits.timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise _fail(_MSG_UNREADABLE, "child timed out after %.1f s", limits.timeout_s) from None
    except OSError as exc:
        log.error("could not start the workbook reader process: %r", exc)
        raise UnsafeWorkbook(_MSG_UNREADABLE) from None
    stderr = proc.stderr
    if len(stderr) > _MAX_CHILD_STDERR_LOGGED:
        half = _MAX_CHILD_STDERR_LOGGED // 2
        stderr = stderr[:half] + b"\n[...]\n" + stderr[-half:]
    stderr = stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise _fail(_MSG_UNREADABLE, "child exited with %d: %s", proc.returncode, stderr)
    try:
        result = _ResultUnpickler(io.BytesIO(proc.stdout)).load()
    except Exception as exc:
        raise _fail(_MSG_UNREADABLE, "child output unreadable: %r; stderr: %s", exc, stderr) from None
    if not isinstance(result, dict) or "ok" not in result:
        raise _fail(_MSG_UNREADABLE, "child output malformed")
    return result


def _to_workbook(result: dict, limits: Limits) -> RawWorkbook:
    if not result["ok"]:
        error = result.get("error")
        if error == "grid_too_large":
            name, n_rows, n_cols = result.get("sheet"), result.get("rows"), result.get("cols")
            raise _fail(
                f'The sheet "{name}" has content spread over {n_rows:,} rows and '
                f"{n_cols:,} columns (down to cell {cell_ref(n_rows - 1, n_cols - 1)}), "
                "too much to read. Delete the rows and columns that the return does not "
                "use (also cells that only look empty, for example holding a space), save "
                "the workbook and upload it again.",
                "grid too large: %r %dx%d",
                name,
                n_rows,
                n_cols,
            )
        if error == "macro":
            raise _fail(_MSG_MACRO, "macro sheet seen by the reader")
        raise _fail(_MSG_UNREADABLE, "reader error %s: %s", error, result.get("detail"))
    sheets = []
    try:
        for name, hidden, rows in result["sheets"]:
            if not isinstance(name, str) or not isinstance(rows, list):
                raise TypeError("bad sheet")
            sheets.append(RawSheet(name=name, hidden=bool(hidden), rows=rows))
    except (TypeError, ValueError, KeyError):
        raise _fail(_MSG_UNREADABLE, "child output malformed") from None
    return RawWorkbook(sheets=sheets)


# -------------------------------------------------------------------- API


def read_workbook(data: bytes, filename: str, limits: Limits = Limits()) -> RawWorkbook:
    """Read every sheet of an uploaded .xlsx workbook, or raise UnsafeWorkbook."""
    data = bytes(data)
    _check_name_and_size(data, filename, limits)
    _check_magic(data)
    with _open_zip(data) as zf:
        _check_archive(zf, limits)
    return _to_workbook(_run_child(data, limits), limits)
