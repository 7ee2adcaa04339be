"""What a browser session leaves in the server beyond its own state, and
letting go of it when the session ends.

Streamlit keeps a session whose browser has gone for a reconnect
(``server.disconnectedSessionTTL``, two minutes by default, and in practice
until another session is stored), with its state and its uploaded files;
and a file made by a download button on click stays at its
``/media/<id>`` address, answering anyone who has the address, until two
later runs of any session have finished: on a quiet server, indefinitely.
Two things are done here about that:

* :func:`download` wraps the data of a download button (made on click,
  Streamlit's deferred download: nothing is registered at ``/media/``
  before the click). Once the session that clicked has ended, the files
  that no session refers to any more are removed, so the address answers
  404.
* :func:`hold_upload` is called by the Upload page while the session holds
  an uploaded workbook and its check: the session is made non-resumable,
  so that when its browser goes Streamlit shuts it down at once (its
  uploaded file, state and tables go) instead of keeping it for a
  reconnect. A reconnect after a network failure then opens a new session:
  the workbook is chosen again.

After a watched session has ended, the process collects garbage and hands
free memory back to the operating system (:func:`data_access.memory.release`).
A watcher thread looks at the watched sessions every :data:`WATCH_S`
seconds (``Runtime.is_active_session``), and runs only while there are
some. Outside ``streamlit run`` (AppTest, the command line) nothing is
watched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data_access.memory import release

__all__ = ["WATCH_S", "Watcher", "download", "forget_file", "hold_upload", "session_id"]

log = logging.getLogger(__name__)

WATCH_S = 2.0
"""Seconds between two looks at the watched sessions."""

DOWNLOAD, UPLOAD = "download", "upload"


def session_id() -> str | None:
    """The id of this run's session under ``streamlit run``; None elsewhere."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not runtime.exists():
        return None
    return ctx.session_id


class Watcher:
    """Sessions to look after, and what to do once they have ended.

    ``is_active(session_id)`` says whether a session still has its browser;
    ``ended(what)`` is called with what the ended sessions held (a set of
    :data:`DOWNLOAD` and :data:`UPLOAD`). :meth:`sweep` looks once (the
    tests call it); :meth:`watch` starts a thread that sweeps every
    ``interval`` seconds while some session is watched."""

    def __init__(
        self, is_active: Callable[[str], bool], ended: Callable[[set[str]], None], interval: float = WATCH_S
    ) -> None:
        self._is_active = is_active
        self._ended = ended
        self._interval = interval
        self._lock = threading.Lock()
        self._sessions: dict[str, set[str]] = {}
        self._thread: threading.Thread | None = None

    def watched(self) -> dict[str, set[str]]:
        with self._lock:
            return {sid: set(what) for sid, what in self._sessions.items()}

    def watch(self, session: str, what: str, thread: bool = True) -> None:
        with self._lock:
            self._sessions.setdefault(session, set()).add(what)
            if thread and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="session-watcher", daemon=True)
                self._thread.start()

    def sweep(self) -> set[str]:
        """Forget the sessions that have ended and act on what they held;
        the ids of those sessions."""
        with self._lock:
            ended = {sid: what for sid, what in self._sessions.items() if not self._is_active(sid)}
            for sid in ended:
                del self._sessions[sid]
        if ended:
            self._ended(set().union(*ended.values()))
        return set(ended)

    def _run(self) -> None:
        stop = threading.Event()
        while True:
            stop.wait(self._interval)
            try:
                self.sweep()
            except Exception:  # a failed look must not end the watching
                log.exception("looking after ended sessions failed")
            with self._lock:
                if not self._sessions:
                    self._thread = None
                    return


def _is_active(session: str) -> bool:
    return runtime.exists() and runtime.get_instance().is_active_session(session)


def _after_sessions_ended(what: set[str]) -> None:
    if DOWNLOAD in what and runtime.exists():
        media = runtime.get_instance().media_file_mgr
        # The first call only marks an unreferenced downloadable file; the second removes it.
        media.remove_orphaned_files()
        media.remove_orphaned_files()
    release()


_watcher = Watcher(_is_active, _after_sessions_ended)


def download(make: Callable[[], bytes]) -> Callable[[], bytes]:
    """``make`` as the deferred data of a download button (called by
    Streamlit when the button is clicked, outside the page's run), for this
    session only: once the session has ended, the file it made no longer
    answers at its ``/media/`` address. Take everything ``make`` needs from
    the session (the acting person, the database) when drawing the button."""
    session = session_id()

    def made() -> bytes:
        payload = make()
        if session is not None:
            _watcher.watch(session, DOWNLOAD)
        return payload

    return made


def hold_upload() -> None:
    """This session holds an uploaded workbook and its check: shut it down
    as soon as its browser goes (no reconnect), and give the memory back."""
    session = session_id()
    if session is None:
        return
    rt = runtime.get_instance()
    mark = getattr(rt, "mark_session_nonresumable", None)  # Streamlit >= 1.67
    if mark is not None:
        mark(session)
    _watcher.watch(session, UPLOAD)


def forget_file(uploaded: Any) -> None:
    """Drop an uploaded file (an ``UploadedFile``) from Streamlit's store
    for this session, once the page no longer needs it (e.g. applied)."""
    session = session_id()
    file_id = getattr(uploaded, "file_id", None)
    if session is None or not file_id:
        return
    remove = getattr(runtime.get_instance().uploaded_file_mgr, "remove_file", None)  # the in-memory store's
    if remove is not None:
        remove(session, file_id)
