"""The one escaping function, ``components.layout.escape``, and the cleaning
rule under it, ``data_access.rules.text.plain``, against the hostile corpus
of ``tests/hostile.py`` (shared with the browser test, which checks what
Chromium makes of the same strings on every page).

What is checked here is the output's form, which is what makes it inert for
Streamlit's Markdown (react-markdown with GitHub-flavoured Markdown,
directives, emoji shortcodes and maths): every ASCII punctuation character
escaped, so no construct can start; no line break; no invisible or
bidirectional character but the word joiners that the escape puts in, so that
the autolinks and shortcodes that are found in the text after the escapes
are read (``www.x``, ``http://x``, ``name@host``, ``:smile:``) never match;
and, read back (escapes and joiners taken out), the value as typed."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from streamlit.testing.v1 import AppTest

from components.layout import escape
from data_access.rules.text import ELLIPSIS, MAX_CHARS, plain
from tests.apptest_support import new_app, run
from tests.hostile import EVIL, HOSTILE, LONG

JOINER = "\u2060"
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

# What finds links and shortcodes in the text once the Markdown is parsed:
# mdast-util-gfm-autolink-literal (www., http(s)://, e-mail addresses,
# mailto: and xmpp:), remark-emoji and Streamlit's material icons.
TEXT_PATTERNS = {
    "www": re.compile(r"(?i)www\."),
    "url": re.compile(r"(?i)https?://"),
    "email": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
    "protocol": re.compile(r"(?i)(mailto|xmpp):[-.\w+]+@"),
    "shortcode": re.compile(r":\+1:|:-1:|:[\w-]+:"),
    "icon": re.compile(r":material[/_]\w+:"),
}


def unescaped(markdown: str) -> str:
    """The text a Markdown parser reads from an escaped value: each
    backslash escape gives its character (the joiners stay)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def read_back(markdown: str) -> str:
    """What a person reads: the text, without the invisible joiners."""
    return unescaped(markdown).replace(JOINER, "")


def punctuation_unescaped(markdown: str) -> list[str]:
    """ASCII punctuation characters of ``markdown`` not escaped by a backslash."""
    bare = []
    i = 0
    while i < len(markdown):
        ch = markdown[i]
        if ch == "\\":
            assert i + 1 < len(markdown), "a lone backslash at the end escapes what follows the value"
            assert markdown[i + 1] in ASCII_PUNCTUATION, f"a backslash before {markdown[i + 1]!r}"
            i += 2
            continue
        if ch in ASCII_PUNCTUATION:
            bare.append(ch)
        i += 1
    return bare


# --------------------------------------------------------------------------- escape


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_every_markup_character_is_escaped(value):
    assert punctuation_unescaped(escape(value)) == []


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_the_escaped_value_reads_as_typed(value):
    assert read_back(escape(value)) == plain(value)


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_one_line_and_nothing_invisible_but_the_joiners(value):
    out = escape(value)
    assert not [c for c in out if unicodedata.category(c) in ("Cc", "Zl", "Zp")], "a line break or control"
    assert not [c for c in out if unicodedata.category(c) == "Cf" and c != JOINER], "an invisible character"
    assert out == out.strip()


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_no_autolink_nor_shortcode_is_found_in_the_text(value):
    text = unescaped(escape(value))
    found = {name: p.findall(text) for name, p in TEXT_PATTERNS.items() if p.search(text)}
    assert not found


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_the_joiners_only_follow_a_colon_an_at_sign_or_www(value):
    out = escape(value)
    for m in re.finditer(JOINER, out):
        before = out[: m.start()]
        assert before.endswith((":", "@")) or before.lower().endswith("www"), out


def test_the_issues_examples():
    """The strings of the issue: a look-alike link, a fake alert, an image
    fetched by every viewer, and a finding title breaking out of a list."""
    assert escape("[Verify](http://evil.example)") == "\\[Verify\\]\\(http\\:" + JOINER + "\\/\\/evil\\.example\\)"
    assert escape(":red[**Alert**]") == "\\:" + JOINER + "red\\[\\*\\*Alert\\*\\*\\]"
    assert escape("![x](http://evil.example/x.png)").startswith("\\!\\[x\\]\\(")
    title = escape("A title\n\n---\n\n1. Fake item")
    assert "\n" not in title and title == "A title \\-\\-\\- 1\\. Fake item"
    assert escape("www.evil.example") == "www" + JOINER + "\\.evil\\.example"
    assert escape("name@host.example") == "name\\@" + JOINER + "host\\.example"


def test_ordinary_text_is_left_as_it_is():
    for value in ("Dushanbe prison 2", "Test prison Khujand", "Kyrgyzstan", "", "2025 Q1 42"):
        assert escape(value) == value
    assert escape(None) == ""
    assert escape(42) == "42"
    assert read_back(escape("Côte d'Ivoire — 5 %")) == "Côte d'Ivoire — 5 %"


def test_a_long_value_is_cut_with_an_ellipsis():
    out = read_back(escape(LONG))
    assert len(out) == MAX_CHARS and out.endswith(ELLIPSIS)
    assert out.startswith("A long value xxx")


def test_escaping_twice_shows_the_backslashes():
    """escape is for text that has not been escaped: the second pass shows
    the first one's backslashes (so call it once, where the value is shown)."""
    once = escape("[x]")
    assert read_back(escape(once)) == once


# --------------------------------------------------------------------------- plain


def test_plain_makes_one_line():
    assert plain("a\r\nb\rc\u2028d\u2029e\x0bf\x0cg\x85h\ti") == "a b c d e f g h i"
    assert plain("  lots   of\n\n\n space  ") == "lots of space"
    assert plain("\n\n\n") == ""


def test_plain_removes_invisible_and_bidirectional_characters():
    assert plain("invoice\u202egnp.exe") == "invoicegnp.exe"
    assert plain("a\u200bb\u200cc\u200dd\u2060e\ufefff\u2066g\u2069h\u200fi") == "abcdefghi"
    assert plain("tag\U000e0041\U000e0042s") == "tags"


def test_plain_removes_every_format_character_of_unicode():
    """The ranges in data_access/rules/text.py cover Unicode's category Cf
    as this Python knows it."""
    missed = [
        f"U+{c:04X}"
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Cf" and plain(f"a{chr(c)}b") != "ab"
    ]
    assert not missed


def test_plain_keeps_text():
    for value in ("Ünïcödé, 中文, العربية, Ελληνικά — café № 5", "[x](y) :red[z] <b>", "=SUM(A1)"):
        assert plain(value) == value


def test_plain_caps_at_a_given_length():
    assert plain("abcdef", max_chars=4) == "abc" + ELLIPSIS
    assert plain("abcd", max_chars=4) == "abcd"
    assert len(plain(LONG)) == MAX_CHARS


def test_a_table_shows_its_text_plain_and_its_other_values_as_they_are():
    import datetime as dt

    import pandas as pd

    from data_access.rules.text import plain_frame

    frame = pd.DataFrame(
        {
            "text": ["a\n\nb", "c\u202ed", None],
            "n": [1, 2, 3],
            "when": [dt.date(2025, 1, 1)] * 3,
            "trend": [[1, 2], [3], []],
        }
    )
    out = plain_frame(frame)
    assert out["text"].tolist()[:2] == ["a b", "cd"] and pd.isna(out["text"].iloc[2])
    assert out["n"].tolist() == [1, 2, 3] and out["when"].tolist() == frame["when"].tolist()
    assert out["trend"].tolist() == [[1, 2], [3], []]
    assert frame["text"].iloc[0] == "a\n\nb"  # the frame given is left alone


def test_plain_is_idempotent():
    for value in HOSTILE:
        assert plain(plain(value)) == plain(value)


# --------------------------------------------------------------------------- in the app


def test_hostile_markdown_reaches_streamlit_escaped():
    """What AppTest receives from st.markdown, a caption, a toast and an
    expander's label for each hostile string is its escaped form."""
    script = (
        "import streamlit as st\n"
        "from components.layout import escape\n"
        "from tests.hostile import HOSTILE\n"
        "for h in HOSTILE:\n"
        "    st.markdown(f'Value: {escape(h)}')\n"
        "    st.caption(escape(h))\n"
    )
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == [f"Value: {escape(h)}".strip() for h in HOSTILE]
    assert [c.value for c in at.caption] == [escape(h) for h in HOSTILE]
    for m in at.markdown:
        assert m.value.count("\n") == 0


def test_ignored_link_values_are_escaped_in_the_toast(sample_url):
    at = run(new_app({"countries": "[x](http://evil.example)", "quarter": ":red[![i](http://evil.example/i.png)]"}))
    assert at.toast
    text = at.toast[0].value
    assert escape("[x](http://evil.example)") in text
    assert escape(":red[![i](http://evil.example/i.png)]") in text
    assert "](http" not in text and EVIL not in text  # the host is escaped too: evil\.example


# --------------------------------------------------------------------------- plain-text sinks


@pytest.fixture
def hostile_engine(tmp_path):
    from data_access import db
    from tests.hostile import import_hostile

    eng = db.connect(f"sqlite:///{tmp_path / 'hostile.db'}")
    import_hostile(eng)
    yield eng
    db.dispose_all()


def test_the_maps_tooltip_values_are_plain_text(hostile_engine):
    """The map's tooltip is HTML into which Streamlit puts the marker's values
    HTML-escaped: the values themselves are one plain line each."""
    from components import map_layers
    from data_access import queries
    from data_access.rules import maps as rules
    from tests.hostile import COUNTRY, QUARTER

    facilities = queries.facility_findings_summary(hostile_engine, QUARTER, [COUNTRY])
    marks = map_layers.markers(facilities, rules.BY_SEVERITY, {COUNTRY: "Tajikistan"})
    assert len(marks) == len(facilities) > 0
    for column in ("name", "tip_place"):
        for value in marks[column]:
            assert value == plain(value) and "\n" not in value
    assert set(marks["name"]) == {plain(n) for n in facilities["name"]}
    assert set(re.findall(r"\{(\w+)\}", map_layers.TOOLTIP_HTML)) <= set(map_layers.MARKER_COLUMNS)


def test_the_annotated_workbooks_comments_are_one_plain_line_per_problem():
    import io

    from openpyxl import load_workbook

    from data_access.annotate import annotate
    from data_access.rules.issues import Issue
    from tests.hostile import hostile_return

    book = hostile_return()
    issues = [Issue("Findings", f"F{i + 2}", f"bad: {h}", h[:50]) for i, h in enumerate(HOSTILE[:20])]
    wb = load_workbook(io.BytesIO(annotate(book, issues)))
    for i, h in enumerate(HOSTILE[:20]):
        comment = wb["Findings"][f"F{i + 2}"].comment.text
        assert comment == f"ERROR: {plain('bad: ' + h)}"
