"""Command line: ``python -m data_access COMMAND`` (import, restore, export,
template, load-sample, users; ``--help`` lists the options).

Exit codes of ``import`` and ``restore``: 0 applied (or identical to the one
already applied), 1 rejected by validation or refused, 2
unreadable/unsafe/not an xlsx. ``users``: 0 done, 1 refused (one line saying
why). Other commands: 0 done, 2 bad arguments or an unusable database.

``import`` and ``restore`` act as the account named by ``--user EMAIL`` (its
role and countries apply, as in the app) or, without it, as the
operating-system user with administrator rights: whoever runs commands on
the server can already change the database directly. Either way the audit
trail records them as acting through the command line, with the
operating-system user (:func:`cli_actor`).

An unexpected error (a bug, a database that fails mid-way) prints one line,
``error: <what>; run with --debug for details (ref <incident>)``, and exits
2; with ``--debug`` the traceback comes first. Log records of the data layer
(e.g. an import the database refused, logged as an incident) are printed as
one line each, with their traceback only under ``--debug``.

``main(argv)`` runs one command and returns its exit code, so the tests call
it in-process. The usage section of ``docs/cli.md`` is generated from the
parser by :func:`usage_markdown` (``python docs/generate_cli.py``), and a
test fails when the committed file drifts from it.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .rules.access import ROLES, Actor
from .rules.sheets import DATASETS

if TYPE_CHECKING:  # sqlalchemy is imported only when a command runs, so --help stays quick
    from sqlalchemy import Engine

PROG = "python -m data_access"


DEBUG_HELP = "on an unexpected error, print the traceback (default: one line with a reference)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Steering Dashboard data engine: import and restore quarterly returns, export "
        "datasets, write templates, load the sample data, manage the accounts.",
    )
    p.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    db_help = (
        "SQLAlchemy database URL (default: $DASHBOARD_DATABASE_URL, then [connections.dashboard] url in "
        ".streamlit/secrets.toml, then the embedded SQLite file data/dashboard.db)"
    )

    user_help = (
        "e-mail of the account to act as: its role and countries apply, as in the app (default: the "
        "operating-system user, acting as an administrator)"
    )
    imp = sub.add_parser(
        "import",
        help="validate and apply a quarterly return workbook (.xlsx)",
        description="Validate a quarterly return and apply it in one transaction. Exit 0: applied "
        "or identical to the one already applied; 1: rejected, nothing written (every "
        "error listed with its cell), or refused (--user may not upload for the return's country); "
        "2: unreadable, unsafe or not an .xlsx.",
    )
    imp.add_argument("file", metavar="FILE", help="the workbook (.xlsx)")
    imp.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    imp.add_argument("--user", metavar="EMAIL", default=None, help=user_help)
    imp.add_argument("--db", metavar="URL", help=db_help)

    rst = sub.add_parser(
        "restore",
        help="apply an earlier upload's file again, as a new upload",
        description="Import the stored file of an earlier upload again, as a new upload that records "
        "which one it restores (the history is never rewritten). Needs a manager or an administrator. "
        "Exit codes as for import.",
    )
    rst.add_argument("upload_id", metavar="UPLOAD_ID", type=int, help="the number of the upload to restore")
    rst.add_argument("--user", metavar="EMAIL", default=None, help=user_help)
    rst.add_argument("--db", metavar="URL", help=db_help)

    exp = sub.add_parser(
        "export",
        help="export a dataset as CSV or XLSX",
        description="Export one dataset. findings, priorities and milestones give the state as at "
        "the end of --quarter (default: the latest quarter with data).",
    )
    exp.add_argument("dataset", metavar="DATASET", choices=DATASETS, help=f"one of: {', '.join(DATASETS)}")
    exp.add_argument("--country", help="ISO code or English name (default: all countries)")
    exp.add_argument("--quarter", help="quarter, e.g. 2024-Q1")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format (default: csv)")
    exp.add_argument("--output", metavar="PATH", help="file to write (default: standard output for csv)")
    exp.add_argument("--db", metavar="URL", help=db_help)

    tpl = sub.add_parser(
        "template",
        help="write a pre-filled return workbook for a country and quarter",
        description="Write the return template for a country and quarter, pre-filled with the "
        "country's facilities, open findings and active priorities.",
    )
    tpl.add_argument("--country", required=True, help="ISO code or English name")
    tpl.add_argument("--quarter", required=True, help="quarter, e.g. 2024-Q3")
    tpl.add_argument("--output", required=True, metavar="PATH", help="the .xlsx file to write")
    tpl.add_argument("--db", metavar="URL", help=db_help)

    smp = sub.add_parser(
        "load-sample",
        help="load the report baseline and the illustrative sample returns",
        description="Load the 2019-2023 report baseline and the illustrative returns in "
        "sample_data/returns through the importer. Loading twice changes nothing.",
    )
    smp.add_argument("--db", metavar="URL", help=db_help)

    usr = sub.add_parser(
        "users",
        help="manage the accounts: who may sign in, with which role, for which countries",
        description="Add, list, change and remove accounts. The person running the command acts as an "
        "administrator (recorded in the audit trail as their login name, via the command line). Exit 0: "
        "done; 1: refused (bad e-mail, role or country, a coordinator without a country, the last "
        "administrator), nothing written.",
    )
    users = usr.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    roles = f"one of: {', '.join(ROLES)}"
    country_help = "ISO code of a country the account is limited to (repeat for several; none: every country)"
    add = users.add_parser("add", help="create an account", description="Create an account.")
    add.add_argument("email", metavar="EMAIL", help="the person's e-mail address (stored lower-case)")
    add.add_argument("--role", required=True, metavar="ROLE", help=roles)
    add.add_argument("--country", action="append", default=[], metavar="ISO3", help=country_help)
    add.add_argument("--name", help="the person's name")
    add.add_argument("--db", metavar="URL", help=db_help)
    lst = users.add_parser("list", help="list the accounts", description="List the accounts, by e-mail.")
    lst.add_argument("--db", metavar="URL", help=db_help)
    setr = users.add_parser(
        "set-role",
        help="change an account's role (and countries)",
        description="Change an account's role; --country replaces its countries (without it they are kept).",
    )
    setr.add_argument("email", metavar="EMAIL", help="the account's e-mail address")
    setr.add_argument("role", metavar="ROLE", help=roles)
    setr.add_argument("--country", action="append", default=None, metavar="ISO3", help=country_help)
    setr.add_argument("--db", metavar="URL", help=db_help)
    rm = users.add_parser("remove", help="remove an account", description="Remove an account.")
    rm.add_argument("email", metavar="EMAIL", help="the account's e-mail address")
    rm.add_argument("--db", metavar="URL", help=db_help)
    for command in _commands(p).values():  # --debug after the command too, last of its options
        for leaf in _commands(command).values() or [command]:
            # SUPPRESS: given before the command, the command's own default must not overwrite it
            leaf.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return p


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv`` without the program name; default: the
    process's arguments) and return its exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0), or bad arguments (2): argparse has printed why
        return exc.code if isinstance(exc.code, int) else 2
    debug = bool(getattr(args, "debug", False))
    with _log_lines(debug):
        try:
            return _run(args)
        except BrokenPipeError:  # e.g. piped into head
            return 0
        except Exception as exc:
            return _unexpected(exc, debug)


def _run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from . import config, db

    try:
        engine = db.connect(args.db)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(
            f"cannot open the database {config.describe(config.database_url(args.db))}: "
            f"{type(exc).__name__}: {_first_line(exc)}"
        )
    commands = {
        "import": _import,
        "restore": _restore,
        "export": _export,
        "template": _template,
        "load-sample": _load_sample,
        "users": _users,
    }
    return commands[args.command](engine, args)


def _first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of what ``exc`` says, at most ``limit`` characters; for
    a database error, the database's own words (never the SQL statement or
    its parameters, which SQLAlchemy adds on later lines)."""
    orig = getattr(exc, "orig", None)
    lines = str(orig if orig is not None else exc).strip().splitlines()
    first = lines[0].strip() if lines else ""
    return first if len(first) <= limit else first[: limit - 3] + "..."


def _unexpected(exc: Exception, debug: bool) -> int:
    """An error nothing foresaw: one line with an incident reference, exit 2
    (the traceback first under ``--debug``)."""
    from . import incident

    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    said = f"{type(exc).__name__}: {_first_line(exc)}".rstrip(": ")
    return _fail(f"{said}; run with --debug for details (ref {incident.reference()})")


class _OneLine(logging.Formatter):
    """A log record as one line (``error: ...``), without its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


@contextmanager
def _log_lines(debug: bool) -> Iterator[None]:
    """The data layer's log records on standard error while a command runs:
    one line each, or in full (tracebacks too) under ``--debug``."""
    logger = logging.getLogger(__package__ or "data_access")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s") if debug else _OneLine())
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _country(engine: Engine, text: str) -> str:
    """The ISO code of a country given by code or English name, any case."""
    from . import queries
    from .rules.returns import resolve_country

    c = queries.countries(engine)
    known = {code.lower(): code for code in c["code"]} | {
        n.lower(): code for code, n in zip(c["code"], c["name"], strict=False)
    }
    code = resolve_country(text, known)
    if code is None:
        raise ValueError(f"unknown country {text!r}; use one of: {', '.join(c['code'])}")
    return code


def cli_actor(engine: Engine, email: str | None) -> Actor:
    """Who acts at the command line: the account ``email`` (its role and
    countries, read from the database; no account: nobody may do anything)
    or, when None, the operating-system user as an administrator, with the
    e-mail ``<login>@localhost``. Either way ``via`` is ``cli``."""
    from .access import actor_for

    if email is None:
        login = getpass.getuser() or "cli"
        return Actor(f"{login}@localhost", login, "admin", via="cli")
    return actor_for(engine, email, via="cli")


def _os_user() -> dict[str, str]:
    """What the audit trail records of every command-line write."""
    return {"os_user": getpass.getuser()}


def _import(engine: Engine, args: argparse.Namespace) -> int:
    from .importer import import_workbook

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {path}")
    actor = cli_actor(engine, args.user)
    result = import_workbook(engine, actor, path.read_bytes(), path.name, dry_run=args.dry_run, audit_detail=_os_user())
    print(result.report())
    return result.exit_code


def _restore(engine: Engine, args: argparse.Namespace) -> int:
    from .importer import restore_upload

    result = restore_upload(engine, cli_actor(engine, args.user), args.upload_id, audit_detail=_os_user())
    print(result.report())
    return result.exit_code


def _export(engine: Engine, args: argparse.Namespace) -> int:
    from .export import ExportError, export_dataset

    try:
        country = None if args.country is None else _country(engine, args.country)
        exp = export_dataset(engine, args.dataset, country, args.quarter)
    except (ExportError, ValueError) as exc:
        return _fail(str(exc))
    if args.format == "xlsx" and not args.output:
        return _fail("--format xlsx needs --output PATH")
    data = exp.xlsx() if args.format == "xlsx" else exp.csv()
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {len(exp.frame)} row(s) of {args.dataset} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


def _template(engine: Engine, args: argparse.Namespace) -> int:
    from .export import ExportError, template
    from .rules.quarters import parse_quarter

    q = parse_quarter(args.quarter)
    if q is None:
        return _fail(f"{args.quarter!r} is not a quarter; write it like 2024-Q1")
    try:
        data = template(engine, _country(engine, args.country), str(q))
    except (ExportError, ValueError) as exc:
        return _fail(str(exc))
    Path(args.output).write_bytes(data)
    print(f"wrote the {args.country} {q} return template to {args.output}", file=sys.stderr)
    return 0


def _load_sample(engine: Engine, args: argparse.Namespace) -> int:
    from .sample import load_sample

    def say(fraction: float, text: str) -> None:
        print(f"[{fraction:4.0%}] {text}", file=sys.stderr)

    try:
        results = load_sample(engine, say)
    except RuntimeError as exc:
        return _fail(str(exc), 1)
    applied = sum(r.status == "applied" for r in results)
    print(f"sample data: {applied} file(s) applied, {len(results) - applied} already present")
    return 0


def _users(engine: Engine, args: argparse.Namespace) -> int:
    """``users add|list|set-role|remove``, acting as the operating-system
    user with administrator rights (the person at the machine that holds
    the database)."""
    from . import access
    from .rules.access import AccessError

    actor = cli_actor(engine, None)
    try:
        if args.users_command == "add":
            access.add_user(engine, actor, args.email, args.role, args.country, name=args.name)
            print(f"added {args.email.strip().lower()} as {args.role.strip().lower()}")
        elif args.users_command == "set-role":
            access.set_role(engine, actor, args.email, args.role, args.country)
            print(f"{args.email.strip().lower()} is now {args.role.strip().lower()}")
        elif args.users_command == "remove":
            access.remove_user(engine, actor, args.email)
            print(f"removed {args.email.strip().lower()}")
        else:
            users = access.list_users(engine, actor)
            if users.empty:
                print("no accounts yet")
            for u in users.to_dict("records"):
                shown = [u["email"], u["role"], u["countries"] or "all countries", u["name"]]
                print("\t".join(str(v) for v in shown).rstrip())
    except AccessError as exc:
        return _fail(str(exc), 1)
    return 0


# --------------------------------------------------------------------------- docs/cli.md

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
USAGE_BEGIN = "<!-- BEGIN usage: generated from the parser by `python docs/generate_cli.py`; do not edit by hand -->"
USAGE_END = "<!-- END usage -->"
DOCS_WIDTH = 88  # columns of the help text in the docs, whatever the terminal


class _DocsFormatter(argparse.HelpFormatter):
    """Help text at a fixed width, so the generated docs do not depend on the terminal."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=DOCS_WIDTH)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def usage_markdown() -> str:
    """The ``--help`` of the program and of every command, as Markdown."""
    parser = _parser()
    parts = [(PROG, parser)]
    for name, sub in _commands(parser).items():
        parts.append((f"{PROG} {name}", sub))
        parts += [(f"{PROG} {name} {action}", p) for action, p in _commands(sub).items()]
    blocks = []
    for title, p in parts:
        p.formatter_class = _DocsFormatter
        blocks.append(f"### `{title}`\n\n```text\n{p.format_help().rstrip()}\n```\n")
    return "\n".join(blocks)


def with_usage(doc: str) -> str:
    """``doc`` (the text of docs/cli.md) with its usage section regenerated."""
    start, end = doc.find(USAGE_BEGIN), doc.find(USAGE_END)
    if start < 0 or end < start:
        raise ValueError(f"the usage markers are missing: {USAGE_BEGIN!r} ... {USAGE_END!r}")
    return doc[: start + len(USAGE_BEGIN)] + "\n\n" + usage_markdown() + "\n" + doc[end:]


if __name__ == "__main__":
    sys.exit(main())
