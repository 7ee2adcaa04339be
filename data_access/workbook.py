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
   under ``RLIMIT_AS`` (an address space that grows with the file's size,
   :func:`data_access.rules.memory.child_memory_bytes`, at most
   ``Limits.memory_bytes``), ``RLIMIT_CPU`` and no core dumps, with a
   wall-clock timeout (``Limits.timeout_s``) enforced here. Any
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

Each upload costs one child process for up to ``timeout_s``, of 0.5 GB of
address space for a small file up to 0.84 GB for a 10 MB one (never more
than ``memory_bytes``); the importer reads at most two workbooks at a time
per process (:data:`data_access.memory.IMPORTS`), so at most two children
run at once in the app.

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

from .messages import Message
from .rules.memory import child_memory_bytes

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

    ``message`` (a :class:`Message`, key ``workbook.*``) and ``str(exc)``
    (its English text) say in plain language, for a non-technical user,
    what is wrong and what to do. Never a traceback or library jargon.
    """

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10_000_000  # file size
    max_cell_chars: int = 2_000  # checked later by the validator
    max_rows: int = 50_000  # data rows per sheet, checked later by the validator
    max_uncompressed: int = 300_000_000  # sum of declared uncompressed sizes in the zip
    max_ratio: int = 200  # per-member uncompressed/compressed ratio, members > 1 MB
    max_members: int = 5_000
    timeout_s: float = 60.0  # child process wall time
    # Ceiling of the child's address-space limit (RLIMIT_AS); the limit itself
    # grows with the file's size (data_access.rules.memory.child_memory_bytes).
    memory_bytes: int = 2_000_000_000
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

# Extensions refused with a message of their own (see data_access.messages).
_REFUSED_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xls", ".xlt", ".xlsb", ".csv", ".ods", ".xltx")


def _fail(key: str, reason: str, *args: object, **params: object) -> UnsafeWorkbook:
    """The refusal to raise: the message ``key`` (with ``params``) for the
    person, the ``reason`` (with ``args``) for the log."""
    log.info("workbook refused: " + reason, *args)
    return UnsafeWorkbook(Message(f"workbook.{key}", params))


def _mb(n: int, round_up: bool = False) -> str:
    tenths = -(-n // 100_000) if round_up else round(n / 100_000)
    return f"{tenths / 10:.1f} MB".replace(".0 MB", " MB")


# ------------------------------------------------------------ cheap checks


def _check_name_and_size(data: bytes, filename: str, limits: Limits) -> None:
    if not data:
        raise _fail("empty", "empty file")
    if len(data) > limits.max_bytes:
        raise _fail(
            "too_large",
            "size %d > %d",
            len(data),
            limits.max_bytes,
            size=_mb(len(data), round_up=True),
            limit=_mb(limits.max_bytes),
        )
    base = os.path.basename((filename or "").replace("\\", "/")).strip()
    ext = os.path.splitext(base)[1].lower()
    if ext == ".xlsx":
        return
    if ext in _REFUSED_EXTENSIONS:
        raise _fail(ext[1:], "extension %s", ext)
    if not base:
        raise _fail("no_name", "extension %r", ext)
    raise _fail("other_extension", "extension %r", ext, name=base)


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
            raise _fail("password", "CFB with EncryptionInfo")
        raise _fail("xls_renamed", "CFB without EncryptionInfo")
    if not data.startswith(b"PK"):
        raise _fail("text_renamed" if _looks_like_text(data[:4096]) else "not_xlsx", "no zip signature")


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
        raise _fail("damaged", "bad zip directory: %r", exc) from None


def _check_archive(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _fail("too_many_parts", "members %d > %d", len(infos), limits.max_members, parts=len(infos))
    lowered = [i.filename.lower() for i in infos]
    if len(set(lowered)) != len(lowered):
        raise _fail("damaged", "duplicate member names")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _fail("damaged", "encrypted zip member %r", info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail("damaged", "compression method %d in %r", info.compress_type, info.filename)
        total += info.file_size
        if info.file_size > _RATIO_MIN_SIZE and (
            info.compress_size <= 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            raise _fail(
                "part_expands",
                "ratio %d/%d in %r",
                info.file_size,
                info.compress_size,
                info.filename,
                packed=_mb(info.compress_size),
                unpacked=_mb(info.file_size),
            )
    if total > limits.max_uncompressed:
        raise _fail("expands", "declared total %d > %d", total, limits.max_uncompressed, size=_mb(total))

    names = {i.filename for i in infos}
    if _CONTENT_TYPES not in names or _WORKBOOK_PART not in names:
        if "word/document.xml" in names:
            what = "word"
        elif "ppt/presentation.xml" in names:
            what = "powerpoint"
        elif "content.xml" in names and "mimetype" in names:
            what = "opendocument"
        else:
            what = "zip"
        raise _fail(what, "no workbook parts")

    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
        raise _fail("macro", "vbaProject.bin or macro sheet member")
    ct_info = zf.getinfo(_CONTENT_TYPES)
    if ct_info.file_size > _MAX_CONTENT_TYPES_BYTES:
        raise _fail("damaged", "content types declared %d bytes", ct_info.file_size)
    try:
        with zf.open(ct_info) as fh:
            content_types = fh.read(_MAX_CONTENT_TYPES_BYTES + 1)
    except Exception as exc:  # zlib.error, BadZipFile, EOFError, ...
        raise _fail("damaged", "content types unreadable: %r", exc) from None
    if len(content_types) > _MAX_CONTENT_TYPES_BYTES:
        raise _fail("damaged", "content types larger than declared")
    ct = content_types.lower()
    if b"macroenabled" in ct or b"vbaproject" in ct or b"macrosheet" in ct:
        raise _fail("macro", "macro content type")


# ------------------------------------------------------------ child process


class _ResultUnpickler(pickle.Unpickler):
    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"forbidden class {module}.{name}")


def _run_child(data: bytes, limits: Limits) -> dict:
    memory = child_memory_bytes(len(data), limits.max_grid_cells, limits.memory_bytes)
    cmd = [
        sys.executable,
        "-P",
        str(_CHILD_SCRIPT),
        str(int(memory)),
        str(max(1, int(limits.timeout_s + 0.999))),
        str(int(limits.max_grid_cells)),
    ]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=limits.timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise _fail("unreadable", "child timed out after %.1f s", limits.timeout_s) from None
    except OSError as exc:
        log.error("could not start the workbook reader process: %r", exc)
        raise UnsafeWorkbook(Message("workbook.unreadable")) from None
    stderr = proc.stderr
    if len(stderr) > _MAX_CHILD_STDERR_LOGGED:
        half = _MAX_CHILD_STDERR_LOGGED // 2
        stderr = stderr[:half] + b"\n[...]\n" + stderr[-half:]
    said = stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise _fail("unreadable", "child exited with %d: %s", proc.returncode, said)
    try:
        result = _ResultUnpickler(io.BytesIO(proc.stdout)).load()
    except Exception as exc:
        raise _fail("unreadable", "child output unreadable: %r; stderr: %s", exc, said) from None
    if not isinstance(result, dict) or "ok" not in result:
        raise _fail("unreadable", "child output malformed")
    return result


def _to_workbook(result: dict, limits: Limits) -> RawWorkbook:
    if not result["ok"]:
        error = result.get("error")
        if error == "grid_too_large":
            name, n_rows, n_cols = result.get("sheet"), int(result["rows"]), int(result["cols"])
            raise _fail(
                "grid_too_large",
                "grid too large: %r %dx%d",
                name,
                n_rows,
                n_cols,
                sheet=name,
                rows=n_rows,
                cols=n_cols,
                cell=cell_ref(n_rows - 1, n_cols - 1),
            )
        if error == "macro":
            raise _fail("macro", "macro sheet seen by the reader")
        raise _fail("unreadable", "reader error %s: %s", error, result.get("detail"))
    sheets = []
    try:
        for name, hidden, rows in result["sheets"]:
            if not isinstance(name, str) or not isinstance(rows, list):
                raise TypeError("bad sheet")
            sheets.append(RawSheet(name=name, hidden=bool(hidden), rows=rows))
    except (TypeError, ValueError, KeyError):
        raise _fail("unreadable", "child output malformed") from None
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
