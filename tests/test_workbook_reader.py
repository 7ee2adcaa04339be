"""Tests of data_access.workbook: the hardened .xlsx reader.

Every test uses real files: written by openpyxl, converted by LibreOffice
(the tests using ``soffice_files`` are in the ``libreoffice`` tier: skipped
when `soffice` is missing, failed under CI), encrypted by msoffcrypto-tool,
or built byte by byte here (zip bombs, CFB blobs).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from data_access import workbook
from data_access.workbook import (
    Limits,
    RawSheet,
    RawWorkbook,
    UnsafeWorkbook,
    cell_ref,
    column_letter,
    read_workbook,
)
from tests.workbooks import soffice

SOFFICE = soffice()

# Words a non-technical user should never see in a refusal.
JARGON = re.compile(
    r"traceback|exception|calamine|openpyxl|xml|zlib|pickle|errno|"
    r"central directory|ratio|bomb|subprocess|rlimit|sigabrt|signal",
    re.IGNORECASE,
)
# Every refusal says what to do.
WHAT_TO_DO = re.compile(
    r"save it|save the|save a|upload (it|the|that)|remove the password|"
    r"delete|contact the programme team|check that you picked",
    re.IGNORECASE,
)


def refused(data: bytes, filename: str = "return.xlsx", limits: Limits = Limits()) -> str:
    with pytest.raises(UnsafeWorkbook) as info:
        read_workbook(data, filename, limits)
    message = str(info.value)
    assert message, "refusal without a message"
    assert not JARGON.search(message), f"jargon in user message: {message!r}"
    assert WHAT_TO_DO.search(message), f"message does not say what to do: {message!r}"
    assert "\n" not in message
    return message


@pytest.fixture
def refusal_reason(caplog):
    """``refusal_reason()`` -> the reason the reader logged for its latest
    refusal (for the log, not the user): which check or limit stopped the file."""
    caplog.set_level(logging.INFO, logger=workbook.log.name)

    def latest() -> str:
        reasons = [
            r.getMessage().removeprefix("workbook refused: ")
            for r in caplog.records
            if r.name == workbook.log.name and r.getMessage().startswith("workbook refused: ")
        ]
        assert reasons, "the reader logged no refusal"
        return reasons[-1]

    return latest


def _record_opened_parts(monkeypatch) -> list[str]:
    """The names of the zip parts opened (decompressed) from now on."""
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if part != "[Content_Types].xml":  # read, bounded, by the cheap checks
            opened.append(part)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    return opened


def _child_must_not_start(data: bytes, limits: Limits) -> dict:
    raise AssertionError("the child process was started")


# ------------------------------------------------------------------ fixtures


def _build_openpyxl_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Findings"
    # Rows 1-2 and columns A-B stay empty: the header is at C3.
    header = [
        "finding_id",
        "audit_date",
        "value",
        "value_text",
        "approximate",
        "updated_at",
        "note",
        "at_time",
        "ratio",
    ]
    for j, h in enumerate(header):
        ws.cell(row=3, column=3 + j, value=h)
    rows = [
        [
            "TJK-DUS-01",
            dt.date(2024, 3, 31),
            73715,
            "73 715",
            True,
            dt.datetime(2024, 3, 31, 12, 30),
            "  padded  ",
            dt.time(8, 15),
            0.25,
        ],
        ["TJK-DUS-02", None, 1234.5, "1\u00a0234", False, None, "", None, -3],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None and value != "":
                ws.cell(row=4 + i, column=3 + j, value=value)
    # Row 6 empty, then a lone cell further right than the header.
    ws["M7"] = "far right"
    ws["C8"] = "2024-03-31"
    ws["D8"] = "31.03.2024"

    lookup = wb.create_sheet("Lookup")
    lookup.sheet_state = "hidden"
    lookup["B2"] = "hidden value"
    lookup["C2"] = 42

    secret = wb.create_sheet("Secret")
    secret.sheet_state = "veryHidden"
    secret["A1"] = dt.date(2023, 12, 31)

    wb.create_sheet("Empty")
    wb.save(path)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workbooks")


@pytest.fixture(scope="session")
def openpyxl_path(workdir) -> Path:
    path = workdir / "openpyxl.xlsx"
    _build_openpyxl_workbook(path)
    return path


@pytest.fixture(scope="session")
def openpyxl_bytes(openpyxl_path) -> bytes:
    return openpyxl_path.read_bytes()


def _soffice_convert(src: Path, target: str, outdir: Path, profile: Path) -> Path:
    """Convert with LibreOffice; `target` as for --convert-to (e.g. 'xls')."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ext = target.split(":")[0]
    out = outdir / f"{src.stem}.{ext}"
    assert out.exists(), f"LibreOffice did not produce {out}"
    return out


@pytest.fixture(scope="session")
def soffice_files(workdir, openpyxl_path) -> dict[str, bytes]:
    """The openpyxl workbook (plus a formula sheet) re-saved by LibreOffice
    (whose absence tests/conftest.py reports before this runs)."""
    assert SOFFICE is not None
    src = workdir / "for_lo.xlsx"
    wb = openpyxl.load_workbook(openpyxl_path)
    calc = wb.create_sheet("Calc")
    calc["A1"] = 2
    calc["A2"] = 3.5
    calc["B1"] = "=A1*A2"  # LibreOffice computes and caches 7
    calc["B2"] = '=IF(A1>1,"yes","no")'
    calc["B3"] = "=A1>1"
    wb.save(src)
    profile = workdir / "lo-profile"
    out = {}
    for key, target in (("xlsx", "xlsx"), ("xls", "xls"), ("xlsm", "xlsm:Calc MS Excel 2007 VBA XML")):
        out[key] = _soffice_convert(src, target, workdir / f"lo-{key}", profile).read_bytes()
    return out


# ------------------------------------------------------------------ helpers


def _zip_rewrite(data: bytes, replace: dict[str, bytes | None] = None, add: dict[str, bytes] = None) -> bytes:
    """Copy of an xlsx with members replaced (None = removed) or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info.filename, src.read(info.filename))
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def _raw_deflate(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def _write_zip(fh, members) -> None:
    """Minimal zip writer: members are (name, deflated, crc, size, declared_size).

    Lets a test declare sizes that differ from the real ones, which zipfile
    does not allow.
    """
    central = []
    for name, deflated, crc, _size, declared in members:
        offset = fh.tell()
        raw_name = name.encode()
        fh.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), declared, len(raw_name), 0)
        )
        fh.write(raw_name)
        fh.write(deflated)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(deflated),
                declared,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    start = fh.tell()
    for entry in central:
        fh.write(entry)
    size = fh.tell() - start
    fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))


def _bomb_sheet(total_bytes: int):
    """Deflate a worksheet of about `total_bytes` of repetitive XML by streaming.

    Each 1 MiB chunk is compressed once with a full flush (which makes the
    compressed segment independent of what precedes it) and that segment is
    repeated; the uncompressed text is never held in memory.
    Returns (deflated, crc, real_size).
    """
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    unit = b'<row><c t="n"><v>1</v></c></row>'
    chunk = unit * ((1 << 20) // len(unit))
    tail = b"</sheetData></worksheet>"
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    segment = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(tail) + co.flush(zlib.Z_FINISH)
    reps = total_bytes // len(chunk)
    crc = zlib.crc32(head)
    for _ in range(reps):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    deflated = first + segment * reps + last
    return deflated, crc, len(head) + reps * len(chunk) + len(tail)


def _bomb_workbook(base: bytes, total_bytes: int, lie_about_size: bool) -> bytes:
    deflated, crc, size = _bomb_sheet(total_bytes)
    members = []
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        for info in zf.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                declared = 900_000 if lie_about_size else size
                members.append((info.filename, deflated, crc, size, declared))
            else:
                content = zf.read(info.filename)
                members.append((info.filename, _raw_deflate(content), zlib.crc32(content), len(content), len(content)))
    out = io.BytesIO()
    _write_zip(out, members)
    return out.getvalue()


@pytest.fixture(scope="session")
def one_sheet_base(workdir) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Indicators"
    wb.active["A1"] = "indicator"
    path = workdir / "one_sheet.xlsx"
    wb.save(path)
    return path.read_bytes()


def _minimal_cfb(stream_names: list[str]) -> bytes:
    """A CFB (OLE2) header plus a directory sector naming the given streams.

    Enough for the magic-byte and stream-name checks; not a complete file.
    """
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    entries = b""
    for name in ["Root Entry"] + stream_names:
        encoded = (name + "\0").encode("utf-16-le")
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = 5 if name == "Root Entry" else 2
        entries += bytes(entry)
    return bytes(header) + entries.ljust(512, b"\0")


def _norm_openpyxl(value):
    """openpyxl (data_only=True) value -> what the reader promises."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400.0
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _assert_same_as_openpyxl(data: bytes) -> int:
    raw = read_workbook(data, "x.xlsx")
    ref = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert [s.name for s in raw.sheets] == ref.sheetnames
    compared = 0
    for sheet, ws in zip(raw.sheets, ref.worksheets, strict=False):
        assert sheet.hidden == (ws.sheet_state != "visible"), sheet.name
        n_rows = max(len(sheet.rows), ws.max_row)
        n_cols = max([len(r) for r in sheet.rows] + [ws.max_column])
        for r in range(n_rows):
            for c in range(n_cols):
                ours = sheet.rows[r][c] if r < len(sheet.rows) and c < len(sheet.rows[r]) else None
                theirs = _norm_openpyxl(ws.cell(row=r + 1, column=c + 1).value)
                where = f"{sheet.name}!{cell_ref(r, c)}"
                assert type(ours) is type(theirs) and ours == theirs, f"{where}: reader {ours!r} != openpyxl {theirs!r}"
                compared += theirs is not None
    return compared


# --------------------------------------------------------------- the tests


def test_column_letter_and_cell_ref():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16383)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]
    assert cell_ref(11, 5) == "F12"
    assert cell_ref(0, 0) == "A1"
    assert cell_ref(1048575, 16383) == "XFD1048576"
    with pytest.raises(ValueError):
        column_letter(-1)
    with pytest.raises(ValueError):
        cell_ref(-1, 0)


def test_reads_openpyxl_workbook_with_true_coordinates(openpyxl_bytes):
    wb = read_workbook(openpyxl_bytes, "Return Q1.XLSX")
    assert isinstance(wb, RawWorkbook)
    assert all(isinstance(s, RawSheet) for s in wb.sheets)
    assert [(s.name, s.hidden) for s in wb.sheets] == [
        ("Findings", False),
        ("Lookup", True),
        ("Secret", True),
        ("Empty", False),
    ]
    rows = wb.sheets[0].rows
    # Leading empty rows and columns are kept: rows[r][c] is Excel cell (r+1, c+1).
    assert len(rows) == 8
    assert rows[0] == [None] * len(rows[0]) and rows[1] == [None] * len(rows[1])
    assert rows[2][:3] == [None, None, "finding_id"]
    assert rows[2][10] == "ratio"  # K3
    assert rows[3][2:11] == [
        "TJK-DUS-01",
        dt.date(2024, 3, 31),
        73715.0,
        "73 715",
        True,
        dt.datetime(2024, 3, 31, 12, 30),
        "  padded  ",
        dt.time(8, 15),
        0.25,
    ]
    assert rows[4][2:11] == ["TJK-DUS-02", None, 1234.5, "1\u00a0234", False, None, None, None, -3.0]
    assert type(rows[3][4]) is float and type(rows[3][6]) is bool
    assert type(rows[3][3]) is dt.date
    assert all(v is None for v in rows[5])  # empty row 6 kept
    assert rows[6][12] == "far right"  # M7
    assert cell_ref(6, 12) == "M7"
    assert rows[7][2:4] == ["2024-03-31", "31.03.2024"]  # text stays text
    assert wb.sheets[1].rows == [[None, None, None], [None, "hidden value", 42.0]]
    assert wb.sheets[2].rows == [[dt.date(2023, 12, 31)]]
    assert wb.sheets[3].rows == []


def test_values_equal_openpyxl_on_openpyxl_workbook(openpyxl_bytes):
    assert _assert_same_as_openpyxl(openpyxl_bytes) >= 25


def test_libreoffice_written_workbook(soffice_files):
    data = soffice_files["xlsx"]
    assert _assert_same_as_openpyxl(data) >= 25
    wb = read_workbook(data, "lo.xlsx")
    assert [(s.name, s.hidden) for s in wb.sheets] == [
        ("Findings", False),
        ("Lookup", True),
        ("Secret", True),
        ("Empty", False),
        ("Calc", False),
    ]
    findings = wb.sheets[0].rows
    assert findings[3][2:6] == ["TJK-DUS-01", dt.date(2024, 3, 31), 73715.0, "73 715"]
    assert findings[3][7] == dt.datetime(2024, 3, 31, 12, 30)
    calc = wb.sheets[4].rows
    # Formula cells are read by their cached value.
    assert [row[1] for row in calc] == [7.0, "yes", True]


def test_formula_without_cached_value_and_error_cells_read_as_empty(one_sheet_base):
    # Documents python-calamine 0.9.1: neither an uncached formula (as openpyxl
    # writes them) nor an error cell can be told from a blank cell.
    wb = openpyxl.load_workbook(io.BytesIO(one_sheet_base))
    ws = wb.active
    ws["A2"], ws["B2"], ws["C2"], ws["D2"] = "=1+1", "#N/A", "#DIV/0!", "after"
    assert ws["B2"].data_type == "e"
    buf = io.BytesIO()
    wb.save(buf)
    rows = read_workbook(buf.getvalue(), "f.xlsx").sheets[0].rows
    assert rows[1] == [None, None, None, "after"]


def test_date_serial_edge_cases_and_durations(one_sheet_base):
    wb = openpyxl.load_workbook(io.BytesIO(one_sheet_base))
    ws = wb.active
    cases = [
        (45382, "yyyy-mm-dd"),
        (45382.75, "yyyy-mm-dd hh:mm"),
        (0.5, "hh:mm"),
        (1.25, "[h]:mm"),
        (1e10, "yyyy-mm-dd"),
        (45382, "0.00"),
    ]
    for i, (value, fmt) in enumerate(cases, start=2):
        ws.cell(row=i, column=1, value=value).number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    rows = read_workbook(buf.getvalue(), "d.xlsx").sheets[0].rows
    assert [r[0] for r in rows[1:]] == [
        dt.date(2024, 3, 31),
        dt.datetime(2024, 3, 31, 18, 0),
        dt.time(12, 0),
        1.25,
        1e10,
        45382.0,
    ]


def test_chart_sheet_has_no_rows(one_sheet_base):
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.load_workbook(io.BytesIO(one_sheet_base))
    ws = wb.active
    ws["B1"], ws["B2"] = 1, 2
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2))
    wb.create_chartsheet("Chart").add_chart(chart)
    buf = io.BytesIO()
    wb.save(buf)
    sheets = read_workbook(buf.getvalue(), "c.xlsx").sheets
    assert [(s.name, s.rows) for s in sheets] == [("Indicators", [["indicator", 1.0], [None, 2.0]]), ("Chart", [])]


# ----------------------------------------------------------------- refusals


def test_empty_file():
    message = refused(b"")
    assert "empty" in message


def test_random_bytes():
    data = random.Random(20240331).randbytes(5000)
    assert data[:2] != b"PK" and data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    message = refused(data)
    assert "not an Excel .xlsx workbook" in message


def test_csv_renamed_to_xlsx():
    csv = b"indicator,value\nprisoners_total,73715\nprisons_total,27\n"
    message = refused(csv)
    assert "not an Excel .xlsx workbook" in message and "CSV" in message


def test_truncated_xlsx(openpyxl_bytes):
    message = refused(openpyxl_bytes[: len(openpyxl_bytes) // 2])
    assert "damaged or incomplete" in message


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("photos/cat.txt", "meow")
    assert "not an Excel workbook" in refused(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert "Word document" in refused(buf.getvalue())


def test_duplicate_parts_refused(openpyxl_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(openpyxl_bytes)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with pytest.warns(UserWarning):
            dst.writestr("xl/worksheets/sheet1.xml", b"<worksheet/>")
    assert "damaged" in refused(buf.getvalue())


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("return.xlsm", "macro-enabled workbook (.xlsm)"),
        ("return.xls", "Excel 97-2003"),
        ("return.csv", "CSV file"),
        ("return.ods", "OpenDocument"),
        ("return.xlsb", "Binary"),
        ("return", "only .xlsx files are accepted"),
        ("return.xlsx.exe", "only .xlsx files are accepted"),
    ],
)
def test_wrong_extension(openpyxl_bytes, filename, expected):
    assert expected in refused(openpyxl_bytes, filename)


def _macro_variants(openpyxl_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(openpyxl_bytes)) as zf:
        content_types = zf.read("[Content_Types].xml")
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    assert main in content_types
    macro_ct = content_types.replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return {
        "content-type": _zip_rewrite(openpyxl_bytes, replace={"[Content_Types].xml": macro_ct}),
        "vbaProject.bin": _zip_rewrite(openpyxl_bytes, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 64}),
    }


@pytest.mark.parametrize("variant", ["content-type", "vbaProject.bin"])
@pytest.mark.parametrize("filename", ["return.xlsx", "return.xlsm"])
def test_macro_enabled_workbook(openpyxl_bytes, variant, filename):
    data = _macro_variants(openpyxl_bytes)[variant]
    # The edited copy is still a readable workbook: only the macro check refuses it.
    message = refused(data, filename)
    assert "macro-enabled" in message and "Excel Workbook (.xlsx)" in message


def test_libreoffice_xlsm_named_xlsx(soffice_files):
    message = refused(soffice_files["xlsm"], "return.xlsx")
    assert "macro-enabled" in message


def test_libreoffice_xls(soffice_files):
    assert soffice_files["xls"][:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert "Excel 97-2003" in refused(soffice_files["xls"], "return.xlsx")
    assert "Excel 97-2003" in refused(soffice_files["xls"], "return.xls")


def test_minimal_cfb_xls():
    assert "Excel 97-2003" in refused(_minimal_cfb(["Workbook", "\x05SummaryInformation"]))


def test_encrypted_workbook_msoffcrypto(openpyxl_bytes):
    ooxml = pytest.importorskip(
        "msoffcrypto.format.ooxml", reason="msoffcrypto-tool is needed to produce an encrypted workbook"
    )
    out = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(openpyxl_bytes)).encrypt("s3cret", out)
    data = out.getvalue()
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    message = refused(data, "return.xlsx")
    assert "password" in message and "remove the password" in message


def test_encrypted_workbook_minimal_cfb():
    data = _minimal_cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
    assert "remove the password" in refused(data)


def test_file_over_max_bytes(openpyxl_bytes):
    message = refused(openpyxl_bytes, limits=Limits(max_bytes=len(openpyxl_bytes) - 1))
    assert "more than the" in message
    # The default limit is 10 MB and is checked before anything else.
    assert "10 MB" in refused(b"PK" + b"\0" * 10_000_000)


def test_zip_bomb_refused_without_inflating(one_sheet_base, monkeypatch, refusal_reason):
    data = _bomb_workbook(one_sheet_base, 1 << 30, lie_about_size=False)
    assert len(data) < 10_000_000
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size >= 1 << 30  # a real 1 GiB worksheet
    # Refused from the zip's directory alone: no part is inflated and the
    # child that would parse the sheet is never started.
    opened = _record_opened_parts(monkeypatch)
    monkeypatch.setattr(workbook, "_run_child", _child_must_not_start)
    # Each heuristic alone refuses it.
    for limits, reason in (
        (Limits(), "ratio"),
        (Limits(max_uncompressed=10**12), "ratio"),  # ratio check only
        (Limits(max_ratio=10**9), "declared total"),  # total size check only
    ):
        message = refused(data, limits=limits)
        assert "unusually large" in message
        assert refusal_reason().startswith(reason)
    assert opened == []


def test_zip_bomb_with_lying_sizes_held_by_the_child(one_sheet_base, refusal_reason):
    # Declared sizes pass the cheap checks; the child's limits must hold.
    data = _bomb_workbook(one_sheet_base, 1 << 30, lie_about_size=True)
    # python-calamine stops at the declared size ("File is larger than its
    # declared uncompressed size") and the child reports it, well within the
    # child's memory and time limits (which would otherwise end it: the
    # reason would then say the child was killed or timed out).
    message = refused(data, limits=Limits(timeout_s=60, memory_bytes=1_000_000_000))
    assert "could not be read safely" in message
    reason = refusal_reason()
    assert reason.startswith("reader error unreadable") and "declared uncompressed size" in reason, reason


def test_total_uncompressed_and_member_count_limits(openpyxl_bytes):
    assert "unusually large" in refused(openpyxl_bytes, limits=Limits(max_uncompressed=5_000))
    assert "internal parts" in refused(openpyxl_bytes, limits=Limits(max_members=3))


def test_grid_too_large(openpyxl_bytes, one_sheet_base, refusal_reason):
    message = refused(openpyxl_bytes, limits=Limits(max_grid_cells=50))
    assert '"Findings"' in message and "Delete" in message and "M8" in message
    # With the default limits: one stray cell far down makes a 10.4 million
    # cell grid, refused before it is turned into Python values.
    wb = openpyxl.load_workbook(io.BytesIO(one_sheet_base))
    wb.active["Z400000"] = "stray"
    buf = io.BytesIO()
    wb.save(buf)
    message = refused(buf.getvalue())
    assert "400,000 rows and 26 columns" in message and "Z400000" in message
    # The child measured the grid and refused it before building it.
    assert refusal_reason() == "grid too large: 'Indicators' 400000x26"


def test_cell_at_xfd1048576_aborts_the_library_not_the_app(one_sheet_base):
    # A 6 kB workbook with one cell in the last row and column makes
    # python-calamine ask for a 550 GB grid and abort the whole process
    # ("memory allocation failed", SIGABRT): the child absorbs it.
    wb = openpyxl.load_workbook(io.BytesIO(one_sheet_base))
    wb.active["XFD1048576"] = "last cell"
    buf = io.BytesIO()
    wb.save(buf)
    assert len(buf.getvalue()) < 20_000
    assert "could not be read safely" in refused(buf.getvalue())
    assert read_workbook(one_sheet_base, "next.xlsx").sheets[0].rows == [["indicator"]]


# ------------------------------------------------------------ child process


def test_child_crash_is_contained(openpyxl_bytes, monkeypatch):
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_CRASH", "1")
    message = refused(openpyxl_bytes)
    assert "could not be read safely" in message
    monkeypatch.delenv("DASHBOARD_TEST_CHILD_CRASH")
    # This process survived and reads the next workbook normally.
    assert read_workbook(openpyxl_bytes, "again.xlsx").sheets[0].name == "Findings"


def test_child_timeout(openpyxl_bytes, monkeypatch, refusal_reason):
    # A child still busy at the time limit is stopped there: the refusal says
    # it timed out, not that it finished (it would sleep for 5 minutes).
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_SLEEP", "300")
    message = refused(openpyxl_bytes, limits=Limits(timeout_s=1))
    assert "could not be read safely" in message
    assert refusal_reason() == "child timed out after 1.0 s"


def test_child_garbage_output(openpyxl_bytes, monkeypatch):
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_GARBAGE", "1")
    assert "could not be read safely" in refused(openpyxl_bytes)


def test_child_output_may_only_hold_plain_values(openpyxl_bytes, monkeypatch):
    # A subverted child could send a pickle that runs code when loaded: only
    # datetime.date/datetime/time may be named in the child's output.
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_GARBAGE", "pickle")
    assert "could not be read safely" in refused(openpyxl_bytes)


def test_child_memory_limit_is_applied(openpyxl_bytes, monkeypatch):
    # Allocating 600 MB must fail under a 500 MB address-space limit; without
    # the limit the allocation succeeds and the workbook would be read.
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_HOG", "600000000")
    message = refused(openpyxl_bytes, limits=Limits(memory_bytes=500_000_000))
    assert "could not be read safely" in message
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_HOG", "10000000")
    assert read_workbook(openpyxl_bytes, "ok.xlsx", Limits(memory_bytes=500_000_000)).sheets[0].name == "Findings"


def test_child_imports_neither_pandas_nor_the_app(openpyxl_bytes):
    import sys

    from data_access import workbook

    child = Path(workbook.__file__).with_name("_xlsx_child.py")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-P", str(child), "2000000000", "60", "1000000"],
        input=openpyxl_bytes,
        capture_output=True,
        timeout=60,
        check=True,
    )
    imported = proc.stderr.decode()
    assert "python_calamine" in imported
    assert not re.search(r"\b(pandas|numpy|data_access|streamlit)\b", imported)


# ------------------------------------------------------------------ size


def _large_workbook(base: bytes, n_rows: int) -> bytes:
    """n_rows x 11 columns of typical return data, written as sheet XML."""
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        styles = zf.read("xl/styles.xml")
    wb = openpyxl.load_workbook(io.BytesIO(base))
    wb.active["B1"] = dt.date(2024, 1, 1)  # gives the workbook a date style
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        styles = zf.read("xl/styles.xml")
    date_style = re.search(r'<c r="B1" s="(\d+)"', sheet).group(1)

    def text(ref, s):
        return f'<c r="{ref}" t="inlineStr"><is><t>{s}</t></is></c>'

    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
    ]
    parts.append('<row r="1">' + "".join(text(f"{column_letter(j)}1", f"col{j}") for j in range(11)) + "</row>")
    for i in range(2, n_rows + 2):
        parts.append(
            f'<row r="{i}">{text(f"A{i}", f"TJK-{i:05d}")}{text(f"B{i}", "TJK-DUS-01")}'
            f'<c r="C{i}" s="{date_style}"><v>{45292 + i % 300}</v></c>'
            f"{text(f'D{i}', 'physical')}{text(f'E{i}', 'high')}"
            f'{text(f"F{i}", "in_progress")}<c r="G{i}"><v>{i % 100}</v></c>'
            f'<c r="H{i}" s="{date_style}"><v>45658</v></c>{text(f"I{i}", "A. Coordinator")}'
            f'{text(f"J{i}", "note text")}<c r="K{i}"><v>{i * 1.5}</v></c></row>'
        )
    parts.append("</sheetData></worksheet>")
    return _zip_rewrite(
        buf.getvalue(), replace={"xl/worksheets/sheet1.xml": "".join(parts).encode(), "xl/styles.xml": styles}
    )


def test_50k_rows_are_read_whole(one_sheet_base):
    # The largest return allowed (Limits.max_rows) is read whole, within the
    # default limits. How fast: benchmarks/import_50k.py (not asserted).
    data = _large_workbook(one_sheet_base, 50_000)
    wb = read_workbook(data, "big.xlsx")
    rows = wb.sheets[0].rows
    assert len(rows) == 50_001 and all(len(r) == 11 for r in rows)
    assert rows[50_000][:3] == ["TJK-50001", "TJK-DUS-01", dt.date(2024, 1, 1) + dt.timedelta(days=50_001 % 300)]
