"""Importing a large workbook in a process of its own, for the app.

The app checks and applies uploads in its own long-running process, where
every session shares the memory. Reading, checking and planning a
50,000-row return allocates about 200 MB of small Python objects; CPython
and the C library keep most of those pages after the import (they are
fragmented by what other sessions allocate meanwhile), so a server that
checks six such files keeps some 250 MB more for good, and every further
round adds to it (measured: ``benchmarks/memory.py``, docs/performance.md).
So :func:`run` imports a file of
:data:`~data_access.rules.memory.ISOLATE_FROM_BYTES` or more in a worker
process (``python -m data_access.isolated``) that gives all of it back
when it exits; smaller files are imported in this process, as before.

Either way at most two imports run at once per process
(:data:`data_access.memory.IMPORTS`; the others wait and are told their
place), the importer is the same (:func:`data_access.importer.import_workbook`,
the same checks, audit events and writes), and what comes back is a
:class:`Summary`: the result without its row changes (a 50,000-row return
has 50,000), how many rows change, and the preview of the changes cut to
its first rows. The worker reports its progress through a pipe; it is
stopped if the caller's progress callback raises (a Streamlit run that
stops) or after :data:`TIMEOUT_S`. A worker that dies gives an
"unreadable" result (the details go to the log).

The worker runs the app's own code on the app's database, with the acting
person passed in: it is not a sandbox. The sandbox for the file itself is
the parsing child it starts (:mod:`data_access.workbook`).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import db
from .importer import UNREADABLE, ImportResult, Progress, import_workbook
from .memory import IMPORTS
from .messages import Message
from .rules.access import Actor
from .rules.issues import Issue
from .rules.memory import isolate
from .rules.preview import SheetPreview, preview

__all__ = ["Summary", "run", "summarise"]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
WORKER = "data_access.isolated"  # the module the worker runs (python -m)
TIMEOUT_S = 600.0
"""A worker still running after this long is stopped (it may be waiting for the database's write lock)."""


@dataclass(frozen=True)
class Summary:
    """What an import did or would do, for the app: ``result`` without its
    row changes (``result.changes`` is empty: use ``changed_rows`` and
    ``previews``), the rows it changes, and the preview of the changes
    with at most ``preview_rows`` rows per table (the counts whole)."""

    result: ImportResult
    changed_rows: int
    previews: list[SheetPreview]


def summarise(result: ImportResult, preview_rows: int) -> Summary:
    return Summary(replace(result, changes=[]), result.changed_rows, preview(result.changes, max_rows=preview_rows))


def run(
    url: str,
    actor: Actor,
    data: bytes,
    file_name: str,
    *,
    dry_run: bool,
    preview_rows: int,
    address: str | None = None,
    progress: Progress | None = None,
    in_worker: bool | None = None,
) -> Summary:
    """Import (or, with ``dry_run``, check) ``data`` on the database at
    ``url`` for ``actor``, as :func:`~data_access.importer.import_workbook`
    does, in a worker process when the file is large (``in_worker``: force
    either way)."""
    if not (isolate(len(data)) if in_worker is None else in_worker):
        engine = db.connect(url)
        result = import_workbook(engine, actor, data, file_name, dry_run=dry_run, progress=progress, address=address)
        return summarise(result, preview_rows)

    def wait(place: int) -> None:
        if progress is not None:
            progress(0.0, Message("import.progress.waiting", dict(place=place)))

    job = dict(
        url=url,
        actor=actor,
        data=data,
        file_name=file_name,
        dry_run=dry_run,
        preview_rows=preview_rows,
        address=address,
    )
    with IMPORTS.held(wait):
        return _in_worker(job, progress)


def _unreadable(file_name: str, why: str, *args: object) -> Summary:
    log.error("the import worker failed: " + why, *args)
    message = Message("workbook.unreadable")
    result = ImportResult(UNREADABLE, message, file_name, errors=[Issue("", "", str(message))])
    return Summary(result, 0, [])


def _in_worker(job: dict[str, Any], progress: Progress | None) -> Summary:
    read_progress, write_progress = os.pipe()
    try:
        # In this process's folder, so that a relative database address means the
        # same file; the project on the path, wherever that folder is.
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", WORKER, str(write_progress)],
            env=dict(os.environ, PYTHONPATH=path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_progress,),
        )
    except OSError as exc:
        os.close(read_progress)
        return _unreadable(job["file_name"], "could not start: %r", exc)
    finally:
        os.close(write_progress)
    out: dict[str, Any] = {}

    def talk() -> None:
        try:
            out["stdout"], out["stderr"] = proc.communicate(pickle.dumps(job), timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            out["stdout"], out["stderr"] = proc.communicate()
            out["timeout"] = True

    talker = threading.Thread(target=talk, name="import-worker-io", daemon=True)
    talker.start()
    try:
        with os.fdopen(read_progress, "r", encoding="utf-8") as lines:
            for line in lines:  # until the worker exits
                if progress is not None:
                    fraction, key, params = json.loads(line)
                    progress(fraction, Message(key, params))
    except BaseException:
        proc.kill()  # the caller stopped (or its callback failed): the work is not wanted any more
        talker.join()
        raise
    talker.join()
    said = out.get("stderr", b"")[-2000:].decode("utf-8", "replace")
    if out.get("timeout"):
        return _unreadable(job["file_name"], "timed out after %.0f s: %s", TIMEOUT_S, said)
    if proc.returncode != 0:
        return _unreadable(job["file_name"], "exited with %d: %s", proc.returncode, said)
    try:
        summary = pickle.loads(out["stdout"])  # our own code's output, not the workbook's
    except Exception as exc:
        return _unreadable(job["file_name"], "output unreadable: %r; %s", exc, said)
    if not isinstance(summary, Summary):
        return _unreadable(job["file_name"], "output is not a summary")
    return summary


def _work(progress_fd: int) -> None:
    """The worker: the job on stdin, progress as JSON lines on ``progress_fd``,
    the pickled :class:`Summary` on stdout."""
    job = pickle.loads(sys.stdin.buffer.read())
    with os.fdopen(progress_fd, "w", encoding="utf-8", buffering=1) as said:

        def progress(fraction: float, message: Message) -> None:
            said.write(json.dumps([fraction, message.key, dict(message.params)], default=str) + "\n")

        engine = db.get_engine(job["url"])  # the app has brought it to the latest schema
        result = import_workbook(
            engine,
            job["actor"],
            job["data"],
            job["file_name"],
            dry_run=job["dry_run"],
            progress=progress,
            address=job["address"],
        )
        summary = summarise(result, job["preview_rows"])
    sys.stdout.buffer.write(pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Through the package, so that the summary pickles as data_access.isolated.Summary, not __main__.Summary.
    from data_access.isolated import _work as work

    logging.basicConfig(level=logging.WARNING)
    work(int(sys.argv[1]))
