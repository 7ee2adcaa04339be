"""Hostile strings: what someone could type into a workbook cell, a file name,
their name at the identity provider, or the address, to make the dashboard
show a link, an image, a fake alert or a list item of theirs.

``HOSTILE`` is shared by the escaping tests (``tests/test_escape.py``) and the
browser test that imports a workbook full of them
(``tests/browser/test_hostile_text_browser.py``). Every outside address is
under ``evil.example`` (never resolved: the browser tests block every request
that leaves 127.0.0.1), so finding that name in a link, an image or a request
is the failure."""

from __future__ import annotations

EVIL = "evil.example"

LONG = "A long value " + "x" * 9_987  # 10,000 characters

HOSTILE: list[str] = [
    # Markdown links, images, references, footnotes
    "[Click to verify your account](http://evil.example/phish)",
    "![pixel](http://evil.example/pixel.png)",
    "[![logo](http://evil.example/logo.png)](http://evil.example/)",
    "[ref][1] and [also]\n\n[1]: http://evil.example/ref\n[also]: http://evil.example/also",
    "[script](javascript:alert(1)) [data](data:text/html,<b>x</b>)",
    "<http://evil.example/angle> <victim@evil.example>",
    "Footnote[^n]\n\n[^n]: http://evil.example/footnote",
    # autolinks: GitHub-flavoured Markdown links these without brackets
    "www.evil.example/www",
    "WWW.EVIL.EXAMPLE/upper",
    "https://evil.example/path?q=1&r=2#frag",
    "victim@evil.example",
    "mailto:victim@evil.example xmpp:victim@evil.example",
    # Streamlit directives, icons and shortcodes
    ":red[**URGENT: your data was leaked, call +1 555 0100**]",
    ":material/warning: :rainbow[Official notice] :blue-background[x]",
    ":small[tiny] :orange-badge[Approved] :violet[**v**]",
    ":smile: :+1: :warning: :rotating_light:",
    # emphasis, headings, code, tables, rules, quotes, maths
    "**bold** __bold__ *em* _em_ ~~strike~~ `code` ==mark==",
    "# Heading one",
    "Title\n===",
    "A finding title\n\n---\n\n1. Fake item\n2. Another fake item",
    "- dash item\n* star item\n+ plus item\n> quoted",
    "1) first\n10. tenth",
    "| a | b |\n|---|---|\n| c | d |",
    "    indented code",
    "```\nfenced code\n```",
    "$x^2$ and $$\\int_0^1 f$$ \\(x\\)",
    "- [ ] task\n- [x] done",
    "Line one  \nLine two\\\nLine three",
    # HTML and entities
    "<img src=http://evil.example/x.png onerror=alert(1)>",
    "<script>alert(1)</script><a href='http://evil.example'>x</a>",
    "<iframe src='http://evil.example'></iframe><style>*{display:none}</style>",
    "&#x202E;reversed &lt;b&gt; &amp; &#64; &copy;",
    "<svg><image href='http://evil.example/svg.png'/></svg>",
    "x<sup>2</sup> <details><summary>s</summary>d</details>",
    # raw line breaks of every kind
    "line\r\nbreak\rcarriage\u2028separator\u2029paragraph\x0bvertical\x0cform\x85next",
    "\n\n\n",
    "tab\tseparated\tvalues",
    # invisible and bidirectional characters
    "invoice\u202egnp.exe",
    "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom",
    "\u2066isolate\u2069 \u202aembed\u202c \u202boverride\u202c \u200fRLM\u200e",
    "tag\U000e0041\U000e0042 characters",
    # control characters
    "nul\x00bell\x07escape\x1b[31mred",
    # template and formula look-alikes
    "{quarter} {0} %s %(name)s {{x}}",
    '=HYPERLINK("http://evil.example","Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    # ordinary text must survive
    "Ünïcödé, 中文, العربية, Ελληνικά — café № 5",
    "\\*not emphasis\\* back\\slash \\",
    LONG,
]


# --------------------------------------------------------------------------- a return full of them

COUNTRY = "TJK"
QUARTER = "2025-Q1"
FILE_NAME = "[Click me](http://evil.example/f).xlsx"
UPLOADER = ":red[**Security team**] ![x](http://evil.example/u.png) www.evil.example"


def _in_a_cell(value: str) -> str:
    """``value`` as a workbook can hold it: without the control characters
    that the file format forbids (openpyxl refuses them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def cycle(start: int = 0):
    """The corpus, from ``start``, round and round (as cell values)."""
    i = start
    while True:
        yield _in_a_cell(HOSTILE[i % len(HOSTILE)])
        i += 1


def required(value: str) -> str:
    """``value`` where a cell may not be blank: a blank one, or one that a
    spreadsheet would take for a formula (read as empty), gets a word first."""
    return value if value.strip() and not value.startswith("=") else f"Required {value}"


def ids(prefix: str, n: int) -> list[str]:
    """``n`` identifiers that are hostile too (at most 40 characters, unique,
    no comma, which separates the values of a link)."""
    short = [_in_a_cell(h).strip() for h in HOSTILE if 0 < len(h.strip()) <= 30 and "," not in h]
    return [f"{short[i % len(short)]} {prefix}{i}" for i in range(n)]


def hostile_return(rows: int = len(HOSTILE)) -> bytes:
    """A valid quarterly return of :data:`COUNTRY` for :data:`QUARTER` whose
    every free-text cell, and most identifiers, hold a string of
    :data:`HOSTILE` (each one in every column, over ``rows`` rows): overdue
    findings and off-track priorities (the Overview's alerts), facilities
    on the map, milestones and activities."""
    from tests import workbooks as wb

    n = rows
    fac_ids, fin_ids, pri_ids, act_ids = ids("F", 8), ids("N", n), ids("P", 12), ids("A", 12)
    text = [cycle(k * 7) for k in range(8)]  # each column its own order
    facilities = [
        [
            fac_ids[i],
            required(next(text[0])),
            ("prison", "pre-trial centre", "training centre", "other")[i % 4],
            next(text[1]),
            38.0 + i * 0.3,
            68.0 + i * 0.6,
            "yes" if i % 2 else "no",
            next(text[2]),
        ]
        for i in range(len(fac_ids))
    ]
    findings = [
        [
            fin_ids[i],
            fac_ids[i % len(fac_ids)],
            "2024-10-01",
            ("physical", "procedural", "dynamic", "other")[i % 4],
            ("critical", "high", "medium", "low")[i % 4],
            required(next(text[3])),
            next(text[4]),
            ("open", "in progress", "remediated", "open")[i % 4],
            "2024-12-31",  # before the quarter's end: the open ones are overdue
            next(text[5]),
            next(text[6]),
        ]
        for i in range(n)
    ]
    priorities = [
        [
            pri_ids[i],
            required(next(text[0])),
            next(text[1]),
            ("off track", "at risk", "on track", "not started")[i % 4],
            (i * 7) % 100,
            "2026-06-30",
            next(text[2]),
            next(text[3]),
        ]
        for i in range(len(pri_ids))
    ]
    milestones = [
        [pri_ids[i % len(pri_ids)], required(f"{next(text[4])} M{i}"), "2025-02-15", ("planned", "late")[i % 2], None]
        for i in range(len(pri_ids))
    ]
    activities = [
        [act_ids[i], "2025-02-01", "training", required(next(text[5])), 20, 8, fac_ids[i % len(fac_ids)], next(text[6])]
        for i in range(len(act_ids))
    ]
    indicators = [
        [code, value, "no", next(text[7])]
        for code, value in (("prisoners_total", 12000), ("ve_prisoners", 300), ("ftf_detainees", 40))
    ]
    return_sheet = wb.return_sheet(
        COUNTRY, QUARTER, prepared_by=next(text[0]), submitted_on="2025-04-05", notes=next(text[1])
    )
    sheets = {
        "Indicators": [wb.INDICATORS_HEADER, *indicators],
        "Facilities": [wb.FACILITIES_HEADER, *facilities],
        "Findings": [wb.FINDINGS_HEADER, *findings],
        "Priorities": [wb.PRIORITIES_HEADER, *priorities],
        "Milestones": [wb.MILESTONES_HEADER, *milestones],
        "Activities": [wb.ACTIVITIES_HEADER, *activities],
    }
    return wb.build({"Return": return_sheet, **{name: _within_limits(name, rows) for name, rows in sheets.items()}})


def _within_limits(sheet: str, rows: list[list]) -> list[list]:
    """The rows with each text cut to its column's limit (the contract's
    table, ``data_access.rules.sheets.TEXT_LIMITS``): hostile, yet valid."""
    from data_access.rules.sheets import TEXT_LIMITS

    header, *body = rows
    limits = [TEXT_LIMITS.get((sheet, str(column))) for column in header]
    return [
        header,
        *[
            [v[:n] if isinstance(v, str) and n is not None else v for v, n in zip(row, limits, strict=False)]
            for row in body
        ],
    ]


def import_hostile(engine) -> None:
    """Import :func:`hostile_return` into ``engine``'s database, uploaded by
    :data:`UPLOADER` as :data:`FILE_NAME` (the 10,000-character value let
    through: the importer's cap on a cell is raised for it)."""
    import dataclasses

    from data_access.importer import import_workbook
    from data_access.rules.access import Actor
    from data_access.workbook import Limits

    limits = dataclasses.replace(Limits.from_env(), max_cell_chars=len(LONG))
    result = import_workbook(
        engine, Actor("uploader@example.org", UPLOADER, "admin"), hostile_return(), FILE_NAME, limits=limits
    )
    assert result.status == "applied", result.report()
