"""The app starts offline: ``streamlit run app.py`` with the shipped
configuration makes no request outside the machine, in local mode and bound
to every interface as a shared deployment is (``--server.address 0.0.0.0``).

Every Python process of the server (Streamlit, and the importer's reading
processes) runs with an audit hook (``sitecustomize.py`` on its
``PYTHONPATH``) that records each attempt to reach an address other than
this machine's loopback (``connect()``, ``sendto()``, a name looked up) and
refuses it; where ``unshare -rn`` works, the server also runs in a network
namespace of its own that has only a loopback interface, so nothing could
leave even past the hook. A control run of a bare script without the
shipped configuration shows that the hook sees Streamlit's look-ups.

The starts are ``slow`` (a server each); the first sessions, driven by
Chromium, are ``browser``.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.chromium import VIEWPORT, OfflineGuard, chromium
from benchmarks.serve import free_port, stop, streamlit_server
from components.locales import en_auth

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("--server.address", "0.0.0.0")
START_TIMEOUT = 90  # s: a server start on two busy cores
FIRST_RUN_TIMEOUT = 90_000  # ms

# Records and refuses every attempt to leave the machine, in each process
# that imports it (Python imports ``sitecustomize`` at start).
SITECUSTOMIZE = r"""
import ipaddress, json, os, socket, sys

_LOG = os.environ["DASHBOARD_TEST_NET_LOG"]
_EVENTS = {"socket.connect": 1, "socket.sendto": 1, "socket.getaddrinfo": 0,
           "socket.gethostbyname": 0, "socket.gethostbyname_ex": 0, "socket.gethostbyaddr": 0}


def _local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None or host in ("", "localhost") or str(host).endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False  # a name other than localhost: looking it up may ask a DNS server
    return ip.is_loopback or ip.is_unspecified


def _hook(event, args):
    where = _EVENTS.get(event)
    if where is None:
        return
    if where == 1:
        sock, address = args
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return
        host = address[0]
    else:
        host = args[0]
    if _local(host):
        return
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps({"event": event, "host": str(host), "pid": os.getpid()}) + "\n")
    raise PermissionError(f"the test refuses {event} to {host!r}: the app must not leave the machine")


sys.addaudithook(_hook)
"""


def namespace_prefix() -> list[str]:
    """``unshare -rn`` (a user and network namespace: only a loopback
    interface, brought up) where this machine allows it, else nothing."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return []
    probe = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True, timeout=30)
    return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"] if probe.returncode == 0 else []


@pytest.fixture
def guarded_env(tmp_path, sample_sqlite):
    """The server's environment: the audit hook on its path, a copy of the
    sample database, the tests' error switch off (as shipped); and the file
    the hook writes each attempt to."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    attempts = tmp_path / "attempts.jsonl"
    attempts.touch()
    db = tmp_path / "app.db"
    shutil.copy(sample_sqlite, db)
    env = dict(os.environ, DASHBOARD_TEST_NET_LOG=str(attempts), DASHBOARD_DATABASE_URL=f"sqlite:///{db}")
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["DASHBOARD_LOAD_SAMPLE"] = "0"
    env.pop("DASHBOARD_RAISE_ERRORS", None)
    env.pop("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", None)
    return env, attempts


def attempts_in(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@contextmanager
def started(script: Path, env: dict[str, str], options: Sequence[str], prefix: Sequence[str] = ()) -> Iterator[str]:
    """``streamlit run <script>`` with only ``options`` (and a port), in the
    script's folder, up to the moment it has printed where to find it (the
    address look-ups happen before): its output so far. Stopped on leaving."""
    port = "8501" if prefix else str(free_port())  # a namespace of its own has every port free
    cmd = [*prefix, sys.executable, "-m", "streamlit", "run", script.name, "--server.port", port, *options]
    proc = subprocess.Popen(cmd, cwd=script.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = b""
    deadline = time.monotonic() + START_TIMEOUT
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while b"URL: http" not in output:
                left = deadline - time.monotonic()
                assert left > 0, f"no address printed in {START_TIMEOUT} s:\n{output.decode(errors='replace')}"
                if sel.select(timeout=left):
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    assert chunk, f"streamlit exited ({proc.wait()}):\n{output.decode(errors='replace')}"
                    output += chunk
        yield output.decode(errors="replace")
    finally:
        stop(proc)
        proc.stdout.close()


# --------------------------------------------------------------------------- the start


@pytest.mark.slow
@pytest.mark.parametrize("options", [(), SHARED], ids=["local", "shared"])
def test_the_shipped_configuration_starts_without_any_outside_request(guarded_env, options):
    env, attempts = guarded_env
    with started(ROOT / "app.py", env, options, namespace_prefix()) as output:
        pass
    assert attempts_in(attempts) == [], output
    assert "External URL" not in output and "Network URL" not in output, output
    assert "Did not auto detect external IP" not in output, output


@pytest.mark.slow
def test_without_the_shipped_configuration_streamlit_would_look_up_the_external_address(guarded_env, tmp_path):
    """The control: a bare script (no .streamlit/config.toml beside it),
    headless and bound to every interface, and the hook sees Streamlit
    guess the machine's addresses."""
    env, attempts = guarded_env
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "hello.py").write_text("import streamlit as st\nst.write('hello')\n", encoding="utf-8")
    options = ("--server.headless", "true", "--browser.gatherUsageStats", "false", *SHARED)
    with started(bare / "hello.py", env, options, namespace_prefix()) as output:
        pass
    tried = {(a["event"], a["host"]) for a in attempts_in(attempts)}
    assert ("socket.connect", "8.8.8.8") in tried, (tried, output)  # the internal address, from a UDP socket
    assert any(host == "checkip.amazonaws.com" for _, host in tried), (tried, output)  # the external one


# --------------------------------------------------------------------------- a first session


@contextmanager
def first_session(env: dict[str, str], options: Sequence[str], log: Path, wait_for: str):
    """The app served with only ``options``; one Chromium session (itself
    kept off the internet) opened on it and shown ``wait_for`` (a test id)."""
    with streamlit_server(ROOT / "app.py", env, log, address=None, args=options) as server, chromium() as browser:
        ctx = browser.new_context(viewport=VIEWPORT)
        guard = OfflineGuard()
        ctx.route("**/*", guard)
        page = ctx.new_page()
        page.goto(f"{server.base}/")
        page.get_by_test_id(wait_for).first.wait_for(timeout=FIRST_RUN_TIMEOUT)
        try:
            yield page
        finally:
            ctx.close()
        assert not guard.blocked, guard.blocked


@pytest.mark.browser
def test_a_first_session_in_local_mode_makes_no_outside_request(guarded_env, tmp_path):
    env, attempts = guarded_env
    with first_session(env, (), tmp_path / "local.log", "stMetric") as page:
        assert page.get_by_test_id("stException").count() == 0
    assert attempts_in(attempts) == [], (tmp_path / "local.log").read_text(errors="replace")


@pytest.mark.browser
def test_a_first_session_bound_to_every_interface_makes_no_outside_request(guarded_env, tmp_path):
    """Without sign-in configured the app shows only how to configure it: fine."""
    env, attempts = guarded_env
    with first_session(env, SHARED, tmp_path / "shared.log", "stAlert") as page:
        title = en_auth.MESSAGES["auth.exposed.title"].split("{", 1)[0].strip()
        assert title in page.get_by_test_id("stAlert").first.inner_text()
        assert page.get_by_test_id("stMetric").count() == 0
    assert attempts_in(attempts) == [], (tmp_path / "shared.log").read_text(errors="replace")
