"""The app shell (app.py) and the shared components: start-up, navigation,
global filters mirrored in the URL, the sample-data banner, translation,
formatting, colours and chart exports."""

from __future__ import annotations

import csv
import io
import re
import sys
import types

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook

from components import charts, filters, i18n, layout, links, nav, theme
from components import formatting as fmt
from data_access import db, sample
from data_access.config import ENV_VAR
from data_access.rules import reference as ref
from tests.apptest_support import ROOT, markdown_text, metrics, new_app, read, run

LATEST = "2026-Q3"


# --------------------------------------------------------------------------- start-up


def test_app_starts_on_the_overview_with_the_latest_quarter(sample_url):
    at = run(new_app())
    assert at.markdown[0].value == f"### Overview · {LATEST}"
    assert len(at.metric) == 12
    # filters in the sidebar, defaults: all countries, latest quarter
    assert at.sidebar.multiselect[0].label == "Countries" and at.sidebar.multiselect[0].value == []
    assert at.sidebar.selectbox[0].label == "As at quarter" and at.sidebar.selectbox[0].value == LATEST
    assert at.sidebar.selectbox[0].options[0] == LATEST  # newest first
    # the sample data is loaded: the banner says the figures are illustrative
    assert any("illustrative" in i.value for i in at.info)
    assert at.query_params == {"quarter": LATEST}


def _only_first_returns(monkeypatch, quarter: str | None):
    files = [p for p in sample.return_files() if quarter and p.stem.endswith(quarter)]
    monkeypatch.setattr(sample, "return_files", lambda *a, **k: files)
    return files


def test_first_start_of_an_empty_database_loads_the_sample(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    files = _only_first_returns(monkeypatch, "2024-Q1")  # keep the test quick: baseline + one quarter
    assert len(files) == 4
    try:
        at = run(new_app())
        eng = db.connect(url)
        assert not sample.is_empty(eng) and sample.sample_loaded(eng)
        assert at.markdown[0].value == "### Overview · 2024-Q1"
        assert any("illustrative" in i.value for i in at.info)
        # a second session does not load anything again
        before = len(sample.return_files())
        run(new_app())
        assert len(sample.return_files()) == before
    finally:
        db.dispose_all()


def test_no_banner_when_only_the_report_baseline_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'baseline.db'}")
    _only_first_returns(monkeypatch, None)
    try:
        at = run(new_app())
        assert at.markdown[0].value == "### Overview · 2023-Q4"
        assert not at.info  # the baseline is real: no "illustrative" banner
        # first quarter with data: no change is shown, the subtitle says why
        assert all(m.delta in (None, "") for m in at.metric)
        assert "nothing to compare with" in at.caption[0].value
    finally:
        db.dispose_all()


def test_empty_database_gives_guidance_not_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("DASHBOARD_LOAD_SAMPLE", "0")
    try:
        at = run(new_app())
        text = markdown_text(at)
        assert "No data yet" in text and "python -m data_access import" in text
        assert not at.metric and not at.info and not at.error
        assert at.sidebar.selectbox[0].disabled
        assert at.query_params == {}
    finally:
        db.dispose_all()


def test_unusable_database_is_explained_not_raised(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        at = run(new_app())
        assert at.error and "cannot be used" in at.error[0].value
        assert not at.metric
    finally:
        db.dispose_all()


# --------------------------------------------------------------------------- navigation


def test_only_existing_pages_are_listed():
    keys = [p.key for p in nav.available()]
    assert "overview" in keys
    for spec in nav.PAGES:
        assert (spec.key in keys) == spec.path.is_file()
        assert spec.group in nav.GROUPS
        assert i18n.has(f"nav.{spec.key}")
    assert [p.key for p in nav.PAGES if p.default] == ["overview"]


@pytest.fixture
def probe_page(tmp_path, monkeypatch):
    """A second page, registered for the test, that prints the global filters."""
    page = tmp_path / "probe.py"
    page.write_text(
        "import streamlit as st\n"
        "from components import filters\n"
        "f = filters.current()\n"
        "st.markdown(f\"PROBE countries={','.join(f.countries) or 'all'} quarter={f.quarter}\")\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(nav, "PAGES", [*nav.PAGES, nav.PageSpec("probe", str(page), "data", ":material/science:")])
    return str(page)


def _probe(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("PROBE"))


def test_filters_survive_page_switches_and_stay_in_the_url(sample_url, probe_page):
    at = run(new_app())
    at.sidebar.multiselect[0].set_value(["KGZ"])
    at.sidebar.selectbox[0].select("2025-Q1")
    run(at)
    assert at.query_params == {"countries": "KGZ", "quarter": "2025-Q1"}
    run(at.switch_page(probe_page))
    assert _probe(at) == "PROBE countries=KGZ quarter=2025-Q1"
    assert at.query_params == {"countries": "KGZ", "quarter": "2025-Q1"}
    at.sidebar.selectbox[0].select("2024-Q2")
    run(at)
    assert _probe(at) == "PROBE countries=KGZ quarter=2024-Q2"
    run(at.switch_page("pages/overview.py"))
    assert at.markdown[0].value == "### Overview · 2024-Q2"
    assert at.sidebar.multiselect[0].value == ["KGZ"]
    assert at.query_params == {"countries": "KGZ", "quarter": "2024-Q2"}


# --------------------------------------------------------------------------- URL <-> filters


def test_a_copied_link_opens_the_same_view(sample_url):
    at = run(new_app({"countries": "KAZ,TJK", "quarter": "2025-Q2"}))
    assert at.sidebar.multiselect[0].value == ["KAZ", "TJK"]
    assert at.sidebar.selectbox[0].value == "2025-Q2"
    assert at.markdown[0].value == "### Overview · 2025-Q2"
    assert at.caption[0].value.startswith("Kazakhstan, Tajikistan")
    assert at.query_params == {"countries": "KAZ,TJK", "quarter": "2025-Q2"}
    # the same link in a new session shows exactly the same figures
    again = run(new_app(dict(at.query_params)))
    assert metrics(again) == metrics(at)


def test_changing_the_filters_rewrites_the_url(sample_url):
    at = run(new_app())
    at.sidebar.multiselect[0].set_value(["TJK", "IRQ"])
    run(at)
    assert at.query_params == {"countries": "IRQ,TJK", "quarter": LATEST}
    at.sidebar.selectbox[0].select("2024-Q4")
    run(at)
    assert at.query_params == {"countries": "IRQ,TJK", "quarter": "2024-Q4"}
    at.sidebar.multiselect[0].set_value(["IRQ", "KAZ", "KGZ", "TJK"])  # every country = no country filter
    run(at)
    assert at.query_params == {"quarter": "2024-Q4"}
    assert at.caption[0].value.startswith("All countries")


def test_link_values_that_do_not_exist_are_ignored_with_a_notice(sample_url):
    at = run(new_app({"countries": "XYZ,kazakhstan", "quarter": "1999-Q1"}))
    assert at.sidebar.multiselect[0].value == ["KAZ"]  # names and any case are accepted
    assert at.sidebar.selectbox[0].value == LATEST
    assert at.toast and "XYZ" in read(at.toast[0].value) and "1999-Q1" in read(at.toast[0].value)
    assert at.query_params == {"countries": "KAZ", "quarter": LATEST}


def test_query_string_functions():
    names = {"IRQ": "Iraq", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "TJK": "Tajikistan"}
    qs = ["2025-Q4", "2026-Q1"]
    assert filters.from_query({"countries": "kgz,Iraq,KGZ", "quarter": "Q1 2026"}, names, qs) == (
        ["KGZ", "IRQ"],
        "2026-Q1",
        [],
    )
    assert filters.from_query({"countries": ["IRQ", "TJK"]}, names, qs) == (["IRQ", "TJK"], None, [])
    assert filters.from_query({"quarter": "2020-Q1"}, names, qs) == ([], None, ["2020-Q1"])
    assert filters.from_query({}, names, qs) == ([], None, [])
    assert filters.to_query(["TJK", "IRQ"], "2026-Q1", names) == {"countries": "IRQ,TJK", "quarter": "2026-Q1"}
    assert filters.to_query(list(names), "2026-Q1", names) == {"quarter": "2026-Q1"}
    assert filters.to_query([], None, names) == {}
    f = filters.Filters(countries=(), quarter="2026-Q1", all_countries=tuple(names), names=names, quarters=tuple(qs))
    assert f.scope == tuple(names) and f.all_selected and f.previous_quarter == "2025-Q4" and f.previous_has_data
    assert f.window(8) == qs and f.window(1) == ["2026-Q1"]


def test_link_values_are_split_and_matched_in_one_way():
    assert links.split(None) == [] and links.split("") == []
    assert links.split(" IRQ, KAZ ,,") == ["IRQ", "KAZ"]
    assert links.split(["IRQ", "KAZ,TJK"]) == ["IRQ", "KAZ", "TJK"]  # a repeated parameter
    names = {"IRQ": "Iraq", "KAZ": "Kazakhstan"}
    assert links.match(["iraq", "kaz", "IRQ", "XYZ"], names, names) == (["IRQ", "KAZ"], ["XYZ"])
    assert links.match(["tjk-dus-01", "nope"], ["TJK-DUS-01", "TJK-DUS-02"]) == (["TJK-DUS-01"], ["nope"])
    assert links.match(["Iraq"], names) == ([], ["Iraq"])  # names count only when given
    assert links.text(("IRQ", "KAZ")) == "IRQ,KAZ" and links.text("KGZ-P3") == "KGZ-P3" and links.text(None) == ""


# --------------------------------------------------------------------------- translation


KEY_CALL = re.compile(r"""\b(?:t|tn)\(\s*["']([a-z_][\w .-]*)["']""")


def _code_files():
    return [ROOT / "app.py", *sorted((ROOT / "components").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]


def test_every_literal_text_key_is_in_the_english_catalogue():
    en = i18n.catalogue("en")
    used = {k for path in _code_files() for k in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    assert used, "no t() calls found"
    plural = {k for k in used if f"{k}.one" in en}
    assert not sorted(used - set(en) - plural)
    # the keys built at run time
    for spec in nav.PAGES:
        assert f"nav.{spec.key}" in en and f"nav.group.{spec.group}" in en
    from data_access.overview import CHANGE_AREAS, HEADLINE_METRICS

    for m in HEADLINE_METRICS:
        assert f"metric.{m}" in en and f"metric.{m}.help" in en
    for area, changes in CHANGE_AREAS.items():
        for c in changes:
            assert f"changes.{area}.{c}.one" in en and f"changes.{area}.{c}.other" in en
    for kind, values in (
        ("priority_status", ref.PRIORITY_STATUSES),
        ("severity", ref.FINDING_SEVERITIES),
        ("finding_status", ref.FINDING_STATUSES),
        ("milestone_status", ref.MILESTONE_STATUSES),
    ):
        for v in values:
            assert f"{kind}.{v}" in en


def test_pages_hold_no_display_text():
    """User-facing text goes through t(): no literal text passed to st.* in pages."""
    literal = re.compile(
        r"""st\.(?:markdown|title|header|subheader|caption|write|info|warning|error|success|"""
        r"""button|metric)\(\s*f?["'][A-Za-z]"""
    )
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        assert not literal.findall(path.read_text(encoding="utf-8")), path


def test_pages_are_layout_only():
    """Charts, style sheets and the address belong to components (view_<area>, theme, links)."""
    for path in sorted((ROOT / "pages").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "import altair" not in text and "alt." not in text, path
        assert "<style" not in text, path
        assert "st.query_params" not in text, path


def test_translation_function():
    assert i18n.t("overview.title_as_at", quarter="2026-Q1") == "Overview · 2026-Q1"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.tn("changes.finding.raised", 1) == "**1** newly raised"
    assert i18n.label("priority_status", "off track") == "Off track"
    assert i18n.label("priority_status", "something else") == "something else"


@pytest.fixture
def pseudo_language(monkeypatch):
    module = types.ModuleType("components.locales.zz")
    module.MESSAGES = {
        "overview.title_as_at": "Aperçu · {quarter}",
        "filters.countries": "Pays",
        "fmt.thousands_sep": " ",
        "metric.prisoners_total": "Détenus",
    }
    monkeypatch.setitem(sys.modules, "components.locales.zz", module)
    monkeypatch.setenv(i18n.LANG_ENV, "zz")
    i18n.catalogue.cache_clear()
    yield
    i18n.catalogue.cache_clear()


def test_a_new_language_needs_no_page_change(sample_url, pseudo_language):
    at = run(new_app())
    assert at.markdown[0].value == f"### Aperçu · {LATEST}"
    assert at.sidebar.multiselect[0].label == "Pays"
    assert at.metric[0].label == "Détenus" and at.metric[0].value == "139 611"
    assert at.metric[1].label == "Violent extremist prisoners"  # missing keys fall back to English


# --------------------------------------------------------------------------- formatting and colours


def test_number_formatting():
    assert fmt.number(73715) == "73,715"
    assert fmt.number(73715.0) == "73,715"
    assert fmt.number(422, approx=True) == "approx. 422"
    assert fmt.number(1234567.891, decimals=2) == "1,234,567.89"
    assert fmt.number(-1500) == "-1,500"
    assert fmt.number(None) == "—" and fmt.number(float("nan")) == "—"
    assert fmt.signed(1563) == "+1,563" and fmt.signed(-12) == "-12" and fmt.signed(0) == "0"
    assert fmt.signed(None) == ""
    assert fmt.percent(0.2754) == "28%" and fmt.percent(0.2754, decimals=1) == "27.5%"
    assert fmt.percent(None) == "—"
    assert fmt.points(0.0152) == "+1.5 pp" and fmt.points(-0.02) == "-2.0 pp" and fmt.points(0) == "0.0 pp"
    assert fmt.date("2026-10-26") == "26 Oct 2026" and fmt.short_date("2024-01-05") == "5 Jan"
    assert fmt.date(None) == "—"
    assert fmt.datetime(pd.Timestamp("2026-11-26 19:37:58")) == "26 Nov 2026 19:37"


def test_status_colours_cover_every_value():
    for kind, values in (
        ("priority_status", ref.PRIORITY_STATUSES),
        ("severity", ref.FINDING_SEVERITIES),
        ("finding_status", ref.FINDING_STATUSES),
        ("milestone_status", ref.MILESTONE_STATUSES),
    ):
        assert set(theme.COLOURS[kind]) == set(values)
        assert set(theme.ORDER[kind]) == set(values)
        for v in values:
            assert re.fullmatch(r"#[0-9A-F]{6}", theme.colour(kind, v))
            assert theme.named_colour(kind, v) in ("red", "orange", "yellow", "green", "blue", "violet", "gray")
    # RAG: green, amber, red
    assert [theme.colour("priority_status", s) for s in ("on track", "at risk", "off track")] == [
        theme.GREEN,
        theme.ORANGE,
        theme.VERMILLION,
    ]
    assert theme.badge("severity", "critical") == ":red-badge[Critical]"
    scale = theme.scale("severity")
    assert scale.domain == ["Critical", "High", "Medium", "Low"] and len(scale.range) == 4
    assert theme.favicon().size == (64, 64)


def test_one_tint_for_table_cells_and_its_inverse_for_the_map():
    assert theme.rgb("#D55E00") == (213, 94, 0)
    assert theme.tint(theme.VERMILLION, 0.35) == "#F0C7A6"  # as the weakest-spots cells had it
    assert theme.tint(theme.GREEN, 1) == theme.GREEN and theme.tint(theme.GREEN, 0) == theme.WHITE
    # the colour that, laid at an alpha over a background, shows as the target (the map's base layers)
    assert theme.untint("#EEF4F8", 102 / 255) == (212, 228, 238)
    for target, strength, below in (("#D5DEE8", 0.4, "#EEF4F8"), ("#F3F3F1", 0.4, theme.WHITE)):
        shown = theme.tint("#{:02X}{:02X}{:02X}".format(*theme.untint(target, strength, below)), strength, below)
        assert all(abs(a - b) <= 1 for a, b in zip(theme.rgb(shown), theme.rgb(target), strict=True))
    with pytest.raises(ValueError):
        theme.untint(theme.BLACK, 0.2)  # too dark to show through a light wash over white


def test_one_table_height():
    assert layout.table_height(0) == 38 and layout.table_height(3) == 38 + 3 * 35
    assert layout.table_height(30, max_rows=12) == layout.table_height(12) == 458
    assert layout.table_height(5, max_rows=12) == layout.table_height(5)


# --------------------------------------------------------------------------- charts and their exports


def _chart():
    data = pd.DataFrame(
        {
            "Quarter": ["2026-Q1", "2026-Q1", "2026-Q2"],
            "Severity": ["Critical", "High", "High"],
            "Open findings": [1, 3, 2],
        }
    )
    chart = charts.stacked_bars(
        data,
        x="Quarter",
        y="Open findings",
        colour="Severity",
        kind="severity",
        title="Open findings by severity",
        x_title="Quarter",
        y_title="Open findings (count)",
        legend_title="Severity",
    )
    return chart, data


def test_chart_has_title_axis_titles_legend_and_theme():
    chart, _ = _chart()
    spec = charts.export_spec(chart)
    assert spec["title"]["text"] == "Open findings by severity"
    assert spec["encoding"]["x"]["title"] == "Quarter"
    assert spec["encoding"]["y"]["title"] == "Open findings (count)"
    assert spec["encoding"]["color"]["title"] == "Severity"
    assert spec["encoding"]["color"]["scale"]["range"] == [theme.VERMILLION, theme.ORANGE]
    assert spec["config"]["range"]["category"] == list(theme.PALETTE)
    assert spec["width"] == charts.EXPORT_WIDTH


def test_a_cached_chart_is_built_once_per_language(monkeypatch):
    built = []

    @charts.cached
    def chart(n: int) -> alt.Chart:
        built.append(n)
        return charts.titled(alt.Chart(pd.DataFrame({"a": [n]})).mark_bar().encode(x="a:Q"), "A chart")

    first = chart(41)
    assert chart(41) == first and built == [41]  # the same arguments: the cached spec
    monkeypatch.setattr(i18n, "language", lambda: "zz")
    chart(41)
    assert built == [41, 41]  # its texts may differ in another language


def test_a_chart_without_title_is_refused():
    with pytest.raises(ValueError):
        charts.show(
            alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q"), pd.DataFrame(), key="x", filename="x"
        )


def test_png_export_is_a_high_resolution_png():
    chart, _ = _chart()
    png = charts.to_png(chart)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.width >= charts.EXPORT_WIDTH * charts.PNG_SCALE


def test_svg_export():
    chart, _ = _chart()
    svg = charts.to_svg(chart).decode("utf-8")
    assert svg.startswith("<svg") and "Open findings by severity" in svg


DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "safe text"]


def test_csv_export_neutralises_formulas():
    data = pd.DataFrame({"Title": DANGEROUS + ["x\r=2+2"], "Value": range(len(DANGEROUS) + 1)})
    text = charts.data_csv(data).decode("utf-8-sig")
    # a text holding a line break is quoted, so a spreadsheet keeps it in one cell
    # (unquoted, the row would break there and "=2+2" would start a cell of its own)
    assert '"x\r=2+2"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(DANGEROUS) + 2
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    frame = pd.read_csv(io.StringIO(text, newline=""), keep_default_na=False)
    assert len(frame) == len(DANGEROUS) + 1
    for original, written in zip(DANGEROUS, frame["Title"], strict=False):
        if original == "safe text":
            assert written == original
        else:
            assert not written.startswith(("=", "+", "-", "@", "\t", "\r")), written
    assert list(frame["Value"]) == list(range(len(DANGEROUS) + 1))


def test_xlsx_export_never_holds_a_formula():
    data = pd.DataFrame(
        {
            "Title": DANGEROUS,
            "Value": range(len(DANGEROUS)),
            "When": [pd.Timestamp("2026-01-02 03:04", tz="UTC")] * len(DANGEROUS),
        }
    )
    content = charts.data_xlsx(data, title="=Open findings", notes=['=HYPERLINK("http://x")'])
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["Title", "Value", "When"]
    assert ws["B3"].value == 1


def test_a_cached_read_takes_its_query_arguments(sample_url):
    from components import data_overview
    from data_access import overview

    eng = db.connect(sample_url)
    some = overview.headline(eng, "2025-Q2", ["KAZ", "TJK"])
    pd.testing.assert_frame_equal(data_overview.headline("2025-Q2", ("TJK", "KAZ")), some)
    pd.testing.assert_frame_equal(data_overview.headline(quarter="2025-Q2", countries=["KAZ", "TJK"]), some)
    # an empty selection means every country
    pd.testing.assert_frame_equal(data_overview.headline("2025-Q2", ()), overview.headline(eng, "2025-Q2", None))


def test_data_cache_is_cleared_after_an_upload(tmp_path, monkeypatch):
    from components import data
    from data_access.importer import import_workbook
    from tests.workbooks import ADMIN

    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'cache.db'}")
    try:
        assert data.is_empty() and data.quarters() == []
        name, content = sample.baseline_workbooks()[0]
        assert import_workbook(data.engine(), ADMIN, content, name).ok
        assert data.is_empty()  # still the cached answer
        data.clear()
        assert not data.is_empty() and data.quarters() == ["2023-Q4"]
    finally:
        db.dispose_all()
