"""Regenerate the usage section of docs/cli.md from the command line's parser.

    python docs/generate_cli.py          # rewrite docs/cli.md
    python docs/generate_cli.py --check  # exit 1 when docs/cli.md is out of date

The same comparison runs in the tests (tests/test_docs.py), so a change to an
option of ``python -m data_access`` fails them until this script is run.
"""

from __future__ import annotations

import sys

from data_access.__main__ import CLI_DOC, with_usage


def main(argv: list[str]) -> int:
    current = CLI_DOC.read_text(encoding="utf-8")
    wanted = with_usage(current)
    if current == wanted:
        print(f"{CLI_DOC} is up to date")
        return 0
    if "--check" in argv:
        print(f"{CLI_DOC} is out of date: run python docs/generate_cli.py", file=sys.stderr)
        return 1
    CLI_DOC.write_text(wanted, encoding="utf-8")
    print(f"rewrote the usage section of {CLI_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
