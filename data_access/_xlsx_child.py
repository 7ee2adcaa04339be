"""Child process that parses one .xlsx workbook with python-calamine.

Started by ``data_access.workbook.read_workbook`` as
``python -P _xlsx_child.py MEMORY_BYTES CPU_SECONDS MAX_GRID_CELLS`` with the
workbook bytes on stdin. It writes one pickled ``dict`` to stdout:

    {"ok": True, "sheets": [(name, hidden, rows), ...]}
    {"ok": False, "error": "grid_too_large", "sheet": name, "rows": n, "cols": m}
    {"ok": False, "error": "macro" | "memory" | "unreadable", "detail": "..."}

This file is deliberately standalone: it must not import pandas, the
``data_access`` package or anything of the app. It runs under resource limits
(address space, CPU time, no core dumps) so that a hostile or broken workbook
can only take this process down, never the app. The parent treats any crash,
non-zero exit, timeout or unexpected output as "could not be read safely".

Test hooks (used by tests/test_workbook_reader.py only; harmless otherwise):
  DASHBOARD_TEST_CHILD_CRASH=1      os.abort() after the limits are set
  DASHBOARD_TEST_CHILD_SLEEP=SECS   sleep before reading
  DASHBOARD_TEST_CHILD_GARBAGE=1    write non-pickle bytes and exit 0
  DASHBOARD_TEST_CHILD_GARBAGE=pickle  write a pickle naming a forbidden class
  DASHBOARD_TEST_CHILD_HOG=BYTES    allocate BYTES of memory before reading
"""

import datetime
import io
import os
import pickle
import resource
import sys
import time


def _set_limit(which, soft, hard=None):
    hard = soft if hard is None else hard
    _cur_soft, cur_hard = resource.getrlimit(which)
    if cur_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, cur_hard), min(hard, cur_hard)
    resource.setrlimit(which, (soft, hard))


def _apply_limits(memory_bytes, cpu_seconds):
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_AS, memory_bytes)
    # SIGXCPU at the soft limit, SIGKILL at the hard one: a backstop behind
    # the parent's wall-clock timeout.
    _set_limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 2)


def _test_hooks():
    env = os.environ
    if env.get("DASHBOARD_TEST_CHILD_CRASH") == "1":
        os.abort()
    garbage = env.get("DASHBOARD_TEST_CHILD_GARBAGE")
    if garbage:
        if garbage == "pickle":
            # A well-formed pickle naming a class the parent must not load.
            import decimal

            out = pickle.dumps({"ok": True, "sheets": [("x", False, [[decimal.Decimal(1)]])]})
        else:
            out = b"this is not a pickle\n"
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
        os._exit(0)
    if env.get("DASHBOARD_TEST_CHILD_SLEEP"):
        time.sleep(float(env["DASHBOARD_TEST_CHILD_SLEEP"]))
    if env.get("DASHBOARD_TEST_CHILD_HOG"):
        hog = bytearray(int(env["DASHBOARD_TEST_CHILD_HOG"]))
        hog[-1] = 1
        del hog


def _convert(grid, memo):
    """calamine values -> reader values: "" -> None, timedelta -> float days.

    Equal strings and dates are made the same object (``memo``) so that
    pickle writes each once: this makes the round trip to the parent about
    ten times faster and the output about three times smaller for typical
    returns, where many cells repeat (status, country, dates).
    """
    timedelta = datetime.timedelta
    same = memo.setdefault
    rows = []
    for row in grid:
        out: list[object] = []
        add = out.append
        for v in row:
            cls = v.__class__
            if cls is str:
                add(None if v == "" else same(v, v))
            elif cls is float or cls is bool or cls is int:
                add(v)
            elif cls is timedelta:
                add(v.total_seconds() / 86400.0)
            else:  # date, datetime, time: immutable, never equal across types
                add(same(v, v))
        rows.append(out)
    return rows


def _read(data, max_grid_cells):
    import python_calamine as pc

    memo: dict[object, object] = {}
    workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets: list[tuple[str, bool, list[list[object]]]] = []
    budget = max_grid_cells
    for index, meta in enumerate(workbook.sheets_metadata):
        hidden = meta.visible != pc.SheetVisibleEnum.Visible
        if meta.typ in (pc.SheetTypeEnum.MacroSheet, pc.SheetTypeEnum.Vba):
            return {"ok": False, "error": "macro", "detail": str(meta.typ)}
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            # Chart sheets and dialog sheets hold no cells.
            sheets.append((meta.name, hidden, []))
            continue
        sheet = workbook.get_sheet_by_index(index)
        end = sheet.end
        if end is None:
            sheets.append((meta.name, hidden, []))
            continue
        n_rows, n_cols = end[0] + 1, end[1] + 1
        budget -= n_rows * n_cols
        if budget < 0:
            return {"ok": False, "error": "grid_too_large", "sheet": meta.name, "rows": n_rows, "cols": n_cols}
        grid = sheet.to_python(skip_empty_area=False)
        del sheet  # calamine's own copy of the cells, before the converted one is built
        rows = _convert(grid, memo)
        del grid
        sheets.append((meta.name, hidden, rows))
    workbook.close()
    return {"ok": True, "sheets": sheets}


def main():
    memory_bytes, cpu_seconds, max_grid_cells = (int(a) for a in sys.argv[1:4])
    _apply_limits(memory_bytes, cpu_seconds)
    try:
        _test_hooks()
        data = sys.stdin.buffer.read()
        result = _read(data, max_grid_cells)
    except MemoryError:
        result = {"ok": False, "error": "memory", "detail": "MemoryError"}
    except BaseException as exc:  # noqa: BLE001 - includes pyo3 PanicException
        result = {"ok": False, "error": "unreadable", "detail": (type(exc).__name__ + ": " + str(exc))[:500]}
    out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
