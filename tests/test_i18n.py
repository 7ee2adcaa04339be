"""Translation (components/i18n.py and components/locales/): every catalogue
message is a valid template whose placeholders agree with how the code calls
it, a wrong placeholder never reaches the screen as ``{quarter}``, and the
language is chosen per session, not for the whole process."""

from __future__ import annotations

import ast
import contextvars
import importlib
import logging
import re
import string
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import i18n
from tests.apptest_support import ROOT

LOCALES = ROOT / "components" / "locales"


def placeholders(text: str) -> set[str]:
    """The names a ``str.format`` template fills in (``{a.b}`` -> ``a``)."""
    return {
        re.split(r"[.\[]", name, maxsplit=1)[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }


def catalogue_modules() -> dict[str, dict[str, str]]:
    """Every module of components/locales with its MESSAGES: ``en``, its ``en_<area>`` parts, other languages."""
    out = {}
    for path in sorted(LOCALES.glob("*.py")):
        if path.stem != "__init__":
            module = importlib.import_module(f"components.locales.{path.stem}")
            out[path.stem] = dict(module.MESSAGES)
    return out


def languages() -> list[str]:
    """Language codes other than English (``en_<area>`` files are parts of ``en``)."""
    return [code for code in catalogue_modules() if code != "en" and not code.startswith("en_")]


# --------------------------------------------------------------------------- the catalogues


def test_every_catalogue_message_is_a_valid_template():
    """Each message parses as a ``str.format`` template with plain named
    placeholders (numbers and dates are formatted by components.formatting
    before they are passed, so no format specs), and fills in without error."""
    modules = catalogue_modules()
    assert "en" in modules and len(i18n.catalogue("en")) > 500
    for module, messages in modules.items():
        for key, text in messages.items():
            assert isinstance(text, str), (module, key)
            fields = list(string.Formatter().parse(text))  # raises on a lone brace
            for _, name, spec, conversion in fields:
                if name is not None:
                    assert name.isidentifier() and not spec and not conversion, (module, key, name)
            text.format(**dict.fromkeys(placeholders(text), "X"))


def translation_problems(messages: dict[str, str], english: dict[str, str]) -> list[str]:
    """Keys a translation has that English lacks, and placeholders a
    translation names that the English message (what the code passes) does not."""
    problems = []
    for key, text in messages.items():
        if key not in english:
            problems.append(f"{key}: not an English key")
        elif extra := placeholders(text) - placeholders(english[key]):
            problems.append(f"{key}: placeholders {sorted(extra)} are never passed")
    return problems


def test_translations_name_only_the_placeholders_of_english():
    english = i18n.catalogue("en")
    for code in languages():
        assert not translation_problems(i18n.catalogue(code), english), code
    # the check itself: a translation naming a placeholder the code never passes is caught
    wrong = {"overview.title_as_at": "Aperçu · {trimestre}", "overview.title": "Aperçu", "no.such": "x"}
    assert translation_problems(wrong, english) == [
        "overview.title_as_at: placeholders ['trimestre'] are never passed",
        "no.such: not an English key",
    ]


def test_enumerated_values_take_no_placeholders():
    """``label(kind, value)`` calls ``t`` without parameters."""
    kinds = {kind for call in _calls() if call.name == "label" and (kind := call.literal_key) is not None}
    assert {"severity", "finding_status"} <= kinds  # the scanner finds literal kinds (priorities use a constant)
    english = i18n.catalogue("en")
    for kind in kinds:
        values = [k for k in english if k.startswith(f"{kind}.") and "." not in k[len(kind) + 1 :]]
        assert values, kind
        for key in values:
            assert not placeholders(english[key]), key


# --------------------------------------------------------------------------- the calls


@dataclass(frozen=True)
class Call:
    name: str  # t, tn or label
    where: str  # file:line
    key: ast.expr
    passed: frozenset[str] | None  # keyword names; None when ``**params`` is passed on

    @property
    def literal_key(self) -> str | None:
        return self.key.value if isinstance(self.key, ast.Constant) and isinstance(self.key.value, str) else None


def _code_files() -> list[Path]:
    return [
        ROOT / "app.py",
        *sorted(p for p in (ROOT / "components").rglob("*.py") if "locales" not in p.parts),
        *sorted((ROOT / "pages").glob("*.py")),
    ]


def _calls() -> list[Call]:
    calls = []
    for path in _code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in ("t", "tn", "label"):
                continue
            keywords = [k.arg for k in node.keywords]
            passed = None if None in keywords else frozenset(k for k in keywords if k is not None)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            key = node.args[0]
            # a key chosen by a condition: check each branch
            keys = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
            calls.extend(Call(name, where, k, passed) for k in keys)
    return calls


def _call_problems(call: Call, english: dict[str, str]) -> list[str]:
    """What is wrong with one ``t``/``tn`` call, as far as the source tells."""
    key = call.literal_key
    if key is not None:
        if call.name == "t":
            if key not in english:
                return [f"{call.where}: no message {key!r}"]
            used = placeholders(english[key])
        else:
            forms = [f"{key}.one", f"{key}.other"]
            if any(f not in english for f in forms):
                return [f"{call.where}: no messages {forms}"]
            used = placeholders(english[forms[0]]) | placeholders(english[forms[1]])
        if call.passed is None:
            return []
        passed = call.passed | {"n"} if call.name == "tn" else call.passed
        missing, unused = used - passed, call.passed - used
        return [f"{call.where}: {key!r} is not passed {sorted(missing)}"] * bool(missing) + [
            f"{call.where}: {key!r} does not use {sorted(unused)}"
        ] * bool(unused)
    if isinstance(call.key, ast.JoinedStr) and isinstance(call.key.values[0], ast.Constant):
        # f"findings.tile.{metric}.help": some message must fit, with the parameters passed
        pattern = "".join(re.escape(str(v.value)) if isinstance(v, ast.Constant) else r"[^.]+" for v in call.key.values)
        if call.name == "tn":
            pattern += r"\.(?:one|other)"
        keys = [k for k in english if re.fullmatch(pattern, k)]
        if not keys:
            return [f"{call.where}: no message matches {ast.unparse(call.key)}"]
        passed = (call.passed or frozenset()) | {"n"} if call.name == "tn" else call.passed
        if passed is not None and not any(placeholders(english[k]) <= passed for k in keys):
            return [f"{call.where}: no message matching {ast.unparse(call.key)} can be filled from {sorted(passed)}"]
    return []  # a key held in a variable: checked when the pages run (strict mode, below)


# Calls in pages/ that pass a parameter their message does not use (harmless
# at run time: nothing is shown wrongly, but the call and the message
# disagree). pages/ is fixed by another change; an entry here that no longer
# matches fails the test so that it is removed.
KNOWN_IN_PAGES: set[tuple[str, str]] = set()  # calls that pass a placeholder their message does not use


def test_every_call_names_an_existing_message_and_passes_its_placeholders():
    english = i18n.catalogue("en")
    calls = [c for c in _calls() if c.name in ("t", "tn")]
    literal = [c for c in calls if c.literal_key is not None]
    assert len(literal) > 500 and any(c.name == "tn" for c in literal)
    problems = [p for call in calls for p in _call_problems(call, english)]
    known = {(p.split(":", 1)[0], p.split(": ", 1)[1]) for p in problems}
    assert sorted(known - KNOWN_IN_PAGES) == []
    assert sorted(KNOWN_IN_PAGES - known) == [], "fixed: remove from KNOWN_IN_PAGES"


def test_the_call_check_catches_mistakes():
    english = {"a.title": "Title · {quarter}", "a.n.one": "one", "a.n.other": "{n} in {quarter}", "a.x.help": "{q}"}

    def problems(source: str) -> list[str]:
        node = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        name = node.func.id
        keywords = [k.arg for k in node.keywords]
        passed = None if None in keywords else frozenset(keywords)
        return _call_problems(Call(name, "x.py:1", node.args[0], passed), english)

    assert problems('t("a.title", quarter=q)') == []
    assert problems('t("a.title")') == ["x.py:1: 'a.title' is not passed ['quarter']"]
    assert problems('t("a.title", quarter=q, year=y)') == ["x.py:1: 'a.title' does not use ['year']"]
    assert problems('t("a.titel", quarter=q)') == ["x.py:1: no message 'a.titel'"]
    assert problems('t("a.title", **params)') == []
    assert problems('tn("a.n", 3, quarter=q)') == []
    assert problems('tn("a.n", 3)') == ["x.py:1: 'a.n' is not passed ['quarter']"]
    assert problems('t(f"a.{k}.help", q=1)') == []
    assert problems('t(f"a.{k}.help")') == [
        "x.py:1: no message matching f'a.{k}.help' can be filled from []",
    ]
    assert problems('t(f"b.{k}")') == ["x.py:1: no message matches f'b.{k}'"]


# --------------------------------------------------------------------------- at run time


@pytest.fixture
def pseudo_language(monkeypatch):
    """A language ``zz`` whose title names a placeholder the code never passes."""
    module = types.ModuleType("components.locales.zz")
    module.MESSAGES = {  # type: ignore[attr-defined]
        "overview.title": "Aperçu",
        "overview.title_as_at": "Aperçu · {quarter}",
        "findings.title_as_at": "Constats · {trimestre}",
    }
    monkeypatch.setitem(sys.modules, "components.locales.zz", module)
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    i18n.catalogue.cache_clear()
    yield "zz"
    i18n.catalogue.cache_clear()


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv(i18n.STRICT_ENV, "1")


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv(i18n.STRICT_ENV, "0")
    monkeypatch.setattr(i18n, "_reported", set())  # each mistake is logged once per process


def test_a_missing_parameter_raises_naming_the_key_and_the_placeholder(strict):
    assert i18n.t("overview.title_as_at", quarter="2026-Q1") == "Overview · 2026-Q1"
    with pytest.raises(KeyError, match=r"'overview\.title_as_at'.*\{quarter\}"):
        i18n.t("overview.title_as_at")  # before: "Overview · {quarter}" on screen
    with pytest.raises(i18n.MessageError, match=r"\{quarter\}") as caught:
        i18n.t("overview.title_as_at", year=2026)
    assert caught.value.key == "overview.title_as_at" and caught.value.placeholder == "quarter"
    with pytest.raises(KeyError, match=r"'changes\.finding\.raised\.other'.*\{n\}"):
        i18n.t("changes.finding.raised.other")


def in_language(code, func, /, *args, **kwargs):
    """``func(*args, **kwargs)`` in a context of its own whose language is ``code``."""

    def call():
        i18n.set_language(code)
        return func(*args, **kwargs)

    return contextvars.copy_context().run(call)


def test_a_catalogue_naming_a_placeholder_the_caller_does_not_pass_raises(strict, pseudo_language):
    assert in_language(pseudo_language, i18n.t, "overview.title_as_at", quarter="2026-Q1") == "Aperçu · 2026-Q1"
    with pytest.raises(KeyError, match=r"'findings\.title_as_at'.*\{trimestre\}"):
        in_language(pseudo_language, i18n.t, "findings.title_as_at", quarter="2026-Q1")


def test_in_production_a_wrong_placeholder_shows_a_dash_and_is_logged(production, pseudo_language, caplog):
    with caplog.at_level(logging.ERROR, logger=i18n.__name__):
        assert i18n.t("overview.title_as_at") == "Overview · —"
        assert in_language(pseudo_language, i18n.t, "findings.title_as_at", quarter="2026-Q1") == "Constats · —"
        assert i18n.fill("x.broken", "Total {n} {", {"n": "3"}) == "Total — "
        assert i18n.fill("x.positional", "Total {}", {}) == "Total —"
    logged = caplog.text
    assert "'overview.title_as_at'" in logged and "{quarter}" in logged
    assert "'findings.title_as_at'" in logged and "{trimestre}" in logged
    assert "'x.broken'" in logged and "'x.positional'" in logged


def test_strict_by_default_under_pytest_only(monkeypatch):
    monkeypatch.delenv(i18n.STRICT_ENV, raising=False)
    assert i18n.strict()  # PYTEST_CURRENT_TEST is set while a test runs
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert not i18n.strict()
    monkeypatch.setenv(i18n.STRICT_ENV, "1")
    assert i18n.strict()


def test_plain_messages_and_unknown_keys_are_unchanged(strict):
    assert i18n.t("overview.title") == "Overview"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.t("overview.title", unused="x") == "Overview"  # extra parameters are ignored at run time
    assert i18n.tn("changes.finding.raised", 1) == "**1** newly raised"
    assert i18n.tn("changes.finding.raised", 10286) == "**10,286** newly raised"


# --------------------------------------------------------------------------- the language, per session


def test_the_language_is_per_context_not_per_process(pseudo_language):
    def choose(code):
        i18n.set_language(code)
        return i18n.language(), i18n.t("overview.title")

    first, second = contextvars.copy_context(), contextvars.copy_context()
    assert first.run(choose, pseudo_language) == ("zz", "Aperçu")
    assert second.run(i18n.language) == "en"
    assert first.run(i18n.t, "overview.title") == "Aperçu"
    assert i18n.language() == "en" and i18n.t("overview.title") == "Overview"
    seen = []
    thread = threading.Thread(target=lambda: seen.append(choose(pseudo_language)))
    thread.start()
    thread.join()
    assert seen == [("zz", "Aperçu")] and i18n.language() == "en"
    assert first.run(choose, None) == ("en", "Overview")  # None: back to the environment's language


def _language_script():
    import streamlit as st

    from components import i18n

    if "lang" in st.query_params:
        i18n.set_language(st.query_params["lang"] or None)
    st.markdown(f"{i18n.language()}: {i18n.t('overview.title')}")


def test_the_language_is_per_streamlit_session(pseudo_language):
    first = AppTest.from_function(_language_script)
    first.query_params["lang"] = pseudo_language
    first.run()
    assert first.markdown[0].value == "zz: Aperçu"
    second = AppTest.from_function(_language_script).run()
    assert second.markdown[0].value == "en: Overview"  # before: "zz: Aperçu", one language for every session
    del first.query_params["lang"]
    first.run()
    assert first.markdown[0].value == "zz: Aperçu"  # kept by the session across reruns
    second.run()
    assert second.markdown[0].value == "en: Overview"
    first.query_params["lang"] = ""  # back to the environment's language
    first.run()
    assert first.markdown[0].value == "en: Overview"
    assert i18n.language() == "en"
