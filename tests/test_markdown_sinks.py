"""No unescaped value reaches Markdown: an AST scan of ``pages/`` and
``components/``.

Everything Streamlit renders as Markdown is a *sink*: ``st.markdown``,
captions, alerts, toasts, titles, the labels of tabs, expanders, tiles,
buttons and widgets, every ``help=`` tooltip, and the layout helpers that
pass their arguments on to ``st.markdown``. In each sink's arguments, every
interpolated value (a part of an f-string, a parameter of ``t()``/``tn()``,
an item joined into the text) must be one of:

- text of the app: a literal, a message (``t``/``tn``/``label`` with safe
  parameters), a badge or icon of the theme, a formatted number or date;
- untrusted text made inert by ``components.layout.escape``;
- a value built by another function (a ``view_*`` helper): it is that
  function's job, and its tests', to escape what it interpolates;
- a name in :data:`TRUSTED`, a variable known to hold app text (a quarter
  from the list of quarters, a count), with the reason.

A new ``st.caption(t("x", name=row.name))`` fails here until it says
``name=escape(row.name)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py"), ROOT / "app.py"])

# st.<name>(...) whose positional arguments are all Markdown.
TEXT_SINKS = {
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "title",
    "header",
    "subheader",
    "write",
}
# st.<name>(...) whose label (first argument, or label=) is Markdown; their
# options are plain text (radio, pills and segmented_control draw their
# format_func's output as Markdown: those are app text here).
LABEL_SINKS = {
    "expander",
    "tabs",
    "metric",
    "popover",
    "status",
    "button",
    "link_button",
    "page_link",
    "download_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "number_input",
    "pills",
    "segmented_control",
}
# <object>.<name>(...) on a column or container (``col.markdown(...)``).
METHOD_SINKS = {"markdown", "caption", "info", "warning", "error", "success", "toast", "expander", "metric"}
# Helpers of the app that put their arguments into Markdown.
HELPER_SINKS = {"page_header": 2, "empty_state": 3, "bullet_list": 1, "download_button": 1, "link": 0}
"""Their name -> how many of their positional arguments are Markdown."""
MARKDOWN_KEYWORDS = {"label", "body", "help", "title", "subtitle", "steps", "lines"}

SAFE_CALLS = {
    "escape",  # THE function
    "t",
    "tn",
    "label",
    "badge",  # theme.badge: a status or severity's label in its colour
    "number",
    "percent",
    "date",
    "datetime",
    "short_date",
    "signed",
    "len",
    "int",
    "round",
    "role_label",
}
"""Calls whose result is app text (for ``t``/``tn``, once their parameters pass)."""

TRUSTED: dict[str, str] = {
    "q": "the quarter in the filters: one of the quarters with data (parsed and validated on import)",
    "p": "the previous quarter, computed from q",
    "quarter": "a quarter from the list of quarters, or a parameter holding one",
    "compared": "the previous quarter, computed",
    "n": "a count",
    "n_shown": "a count",
    "n_facilities": "a count",
    "n_overdue": "a count",
    "later": "a count",
    "days": "a number of days from the configuration",
    "total": "a count",
    "behind": "a count",
    "window": "quarters, computed",
    "ms": "a table, only its length is shown",
    "rest": "a list, only its length is shown",
    "rule": "the priorities' rule constants",
    "icon": "a Material icon name chosen by the app",
    "tab_labels": "tab names: t() text",
    "key": "a message key",
    "link": "a README address constant",
    "README_SHARING": "a README address constant",
    "sha": "an upload's SHA-256, hexadecimal computed by the app",
    "chosen": "an upload id (integer) chosen in the list",
    "i": "a position in a list",
    "first": "a quarter",
    "last": "a quarter",
    "period": "dates of the audit trail's filter, formatted with t()",
    "filtered": "a bool, only its count of list items matters",
    "since": "a date from a date input",
    "not_started_note": "t() text with a count",
    "notes": "the Map page's notes: t() text, facility names escaped",
    "cell": "view_countries.facility_cells: escaped Markdown cells",
    "carried": "view_countries.not_current: country names (reference list) and quarters",
    "missing": "view_countries.not_current: country names (reference list)",
    "SORT_LABELS": "the Findings list's sort names: t() text",
    "spec": "kpi.Tile: label and help built by the view helpers with t() and escape",
}

TRUSTED_CALLS: dict[str, str] = {
    "countries_label": "country names: the reference list (data_access/rules/reference.py), never from a workbook",
    "server_address": "the address the server listens on, from its own configuration",
    "values": "names.values(): country names from the reference list",
    "share_note": "view_countries: indicator names from the catalogue, quarters",
    "help_text": "view_overview: t() text with counts",
    "message_text": "layout.message_text: a data-layer message in words, its text values escaped",
}


def _is_names(func: ast.expr) -> bool:
    """``names.get`` or ``f.names.get``: a country's name, from the reference list."""
    owner = func.value if isinstance(func, ast.Attribute) else None
    return (isinstance(owner, ast.Name) and owner.id == "names") or (
        isinstance(owner, ast.Attribute) and owner.attr == "names"
    )


ALLOWED: dict[tuple[str, str], str] = {
    ("components/auth.py", "who"): "the signed-in person's name, escaped on the line before",
    ("components/auth.py", "role"): "the catalogue's name of a role and the account's (checked ISO) country codes",
    ("components/auth.py", "sharing_help()"): "the README's own 'Sharing it' section, a file of the repository",
    ("components/auth.py", "problem"): "made by _sign_in with t() and escaped values",
    ("components/errors.py", "ref"): "the incident reference: eight hexadecimal digits the app made",
    ("components/data.py", "ref"): "the incident reference: eight hexadecimal digits the app made",
    ("components/layout.py", "title"): "page_header and empty_state pass their title on: their callers are scanned",
    ("components/layout.py", "subtitle"): "page_header passes its subtitle on: its callers are scanned",
    ("components/layout.py", "body"): "empty_state passes its body on: its callers are scanned",
    ("components/layout.py", "s"): "empty_state's steps: its callers are scanned",
    ("components/layout.py", "line"): "bullet_list's lines: its callers pass view helpers' escaped lines",
    ("components/outside.py", "shown"): "country names, escaped on the line before",
    ("pages/access.py", "flash[1]"): "a message the page wrote with t() and escaped values before a rerun (_flash)",
    ("pages/upload_history.py", "message[1]"): "a message the page wrote with t() (data_upload.text) before a rerun",
    ("pages/access.py", "why"): "a refusal in words (data_admin.refused: data_admin.text escapes its values)",
    ("pages/access.py", "problem"): "a refusal or bad input in words (data_admin.text escapes its values)",
    ("pages/audit_trail.py", "why"): "a refusal in words (data_admin.refused: data_admin.text escapes its values)",
    ("pages/audit_trail.py", "problem"): "why the retention setting (the server's environment) is invalid",
    ("pages/countries.py", "name"): "a country's name from the reference list (escaped where it heads the profile)",
    ("pages/countries.py", "source"): "view_countries.source_text(markdown=True): escaped",
    ("pages/findings.py", "line"): "view_findings.timeline_facts: escaped Markdown lines",
    ("pages/overview.py", "line"): "view_overview.change_lines: counts and quarters",
    ("pages/upload.py", "title"): "a preview's title: t() with a sheet's name (the contract's) and counts",
    ("components/exports.py", "label"): "download_button passes its label on: its callers are scanned",
    ("components/nav.py", "label"): "nav.link passes its label on: its callers are scanned",
    ("components/nav.py", "help"): "nav.link passes its help on: its callers are scanned",
    ("components/nav.py", "page"): "a page of the app (st.Page), not text",
    ("components/view_countries.py", "help_"): "a tile's help, built with source_text(markdown=True)",
    ("pages/countries.py", 'status["last_quarter"]'): "a quarter (validated on import)",
    ("pages/findings.py", "rows[0].quarter"): "a quarter (validated on import)",
    ("pages/upload.py", "result.upload_id"): "an upload id: an integer",
    ("pages/upload.py", "failed.upload_id"): "an upload id: an integer",
    ("pages/upload.py", "result.quarter"): "the return's quarter, validated (the check passed)",
    ("pages/upload.py", 'done["id"]'): "an upload id: an integer",
    ("pages/upload.py", 'done["n"]'): "a count",
    ("pages/upload.py", 'done["country"]'): "a country's name from the reference list",
    ("pages/upload.py", 'done["quarter"]'): "the return's quarter, validated",
    ("pages/upload.py", 's["id"]'): "an upload id: an integer",
    ("pages/priorities.py", "done"): "a count of milestones",
    ("pages/upload_history.py", "r.sha256"): "an upload's SHA-256, hexadecimal, computed by the app",
    ("pages/upload_history.py", "r.country"): "an upload's country code (validated on import)",
    ("pages/upload_history.py", "r.quarter"): "an upload's quarter (validated on import)",
}
"""(file, source of the flagged expression): why it is safe there."""


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _unsafe(node: ast.expr | None) -> list[ast.expr]:
    """The parts of ``node`` that interpolate a value not known to be safe."""
    if node is None or isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.JoinedStr):
        return [bad for part in node.values if isinstance(part, ast.FormattedValue) for bad in _unsafe(part.value)]
    if isinstance(node, ast.FormattedValue):
        return _unsafe(node.value)
    if isinstance(node, ast.BinOp):
        return _unsafe(node.left) + _unsafe(node.right)
    if isinstance(node, ast.IfExp):
        return _unsafe(node.body) + _unsafe(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [bad for v in node.values for bad in _unsafe(v)]
    if isinstance(node, ast.List | ast.Tuple):
        return [bad for e in node.elts for bad in _unsafe(e)]
    if isinstance(node, ast.Starred):
        return _unsafe(node.value)
    if isinstance(node, ast.GeneratorExp | ast.ListComp):
        return _unsafe(node.elt)
    if isinstance(node, ast.Compare):
        return []  # a bool
    if isinstance(node, ast.Name):
        return [] if node.id in TRUSTED else [node]
    if isinstance(node, ast.Attribute | ast.Subscript):  # a part of a trusted value is trusted
        root = node
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if isinstance(root, ast.Name) and root.id in TRUSTED:
            return []
    if isinstance(node, ast.Call):
        name = _call_name(node.func)
        # "sep".join(items): the items must be safe
        if name == "join" and isinstance(node.func, ast.Attribute):
            return [bad for a in node.args for bad in _unsafe(a)]
        if name in ("t", "tn"):
            return [bad for kw in node.keywords for bad in _unsafe(kw.value)] + [
                bad for a in node.args[1:] for bad in (_unsafe(a) if name == "t" else [])
            ]
        if name in SAFE_CALLS:
            return []
        if name in ("lower", "upper", "strip") and isinstance(node.func, ast.Attribute):
            return _unsafe(node.func.value)
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = node.func.value.id
            if owner.startswith("view_") or owner in ("fmt", "theme", "data_upload", "layout", "map_layers"):
                return []  # another module's text builder: escaping is its job (and its tests')
        if name == "get" and _is_names(node.func):
            return []  # a country's name (see TRUSTED_CALLS)
        if name in TRUSTED_CALLS:
            return []
        if name and name.startswith("_"):
            return []  # a helper of the same module: scanned at its own sinks
        return [node]
    return [node]  # an attribute, a subscript, anything else: data until proven otherwise


def _sink_args(call: ast.Call) -> list[ast.expr]:
    """The arguments of ``call`` that Streamlit draws as Markdown."""
    func = call.func
    if isinstance(func, ast.IfExp):  # (st.success if ok else st.error)(text)
        either = [f for f in (func.body, func.orelse) if isinstance(f, ast.Attribute)]
        if any(_sink_args(ast.Call(func=f, args=call.args, keywords=call.keywords)) for f in either):
            return list(call.args)
    if not isinstance(func, ast.Attribute):
        return []
    owner = func.value
    keywords = [kw.value for kw in call.keywords if kw.arg in MARKDOWN_KEYWORDS]
    if isinstance(owner, ast.Name) and owner.id == "st":
        if func.attr in TEXT_SINKS:
            return list(call.args) + keywords
        if func.attr in LABEL_SINKS:
            return list(call.args[:1]) + keywords
        return []
    if isinstance(owner, ast.Name) and owner.id in ("layout", "exports", "nav"):
        return list(call.args[: HELPER_SINKS[func.attr]]) + keywords if func.attr in HELPER_SINKS else []
    if func.attr in METHOD_SINKS:
        return list(call.args[:1]) + keywords
    return []


def _findings(path: Path) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source)
    rel = path.relative_to(ROOT).as_posix()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # help= of any call (a widget's, a tile's, a column's) is a Markdown tooltip
            parts = _sink_args(node) or [kw.value for kw in node.keywords if kw.arg == "help"]
            for arg in parts:
                for bad in _unsafe(arg):
                    text = ast.get_source_segment(source, bad) or ast.dump(bad)
                    if (rel, text) not in ALLOWED:
                        out.append(f"{rel}:{bad.lineno}: {text}")
    return out


def test_scanner_flags_an_unescaped_value(tmp_path):
    """The scan itself: an unescaped value in a caption is found, an escaped
    one and app text are not."""
    (tmp_path / "pages").mkdir()
    page = tmp_path / "pages" / "x.py"
    page.write_text(
        "st.caption(t('k', who=r.uploaded_by))\n"
        "st.markdown(f'#### {r.title}')\n"
        "st.toast(t('k', values=', '.join(ignored)))\n"
        "st.metric(r.name, 1, help=r.note)\n"
        "st.caption(t('k', who=escape(r.uploaded_by), quarter=q))\n"
        "st.markdown(f\"**{t('x')}** {escape(r.title)}\")\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _findings(page)
    finally:
        ROOT = saved
    assert [f.split(": ", 1)[1] for f in found] == ["r.uploaded_by", "r.title", "ignored", "r.name", "r.note"]


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_unescaped_value_in_markdown(path):
    found = _findings(path)
    assert not found, "untrusted text into Markdown without components.layout.escape:\n" + "\n".join(found)
