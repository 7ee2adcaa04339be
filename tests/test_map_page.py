"""The Map page through AppTest, against the sample data: the deck's layers
and data (which facilities, where, in which colour and size) read from the
element's JSON equal what is worked out here independently from
``queries.findings_as_at`` and ``queries.facilities``, for several quarters
and country selections; the deck asks for no basemap and no URL; the table
lists the same facilities; choosing a facility shows its findings and links
to the Audit findings page filtered on it; the static map exports as PNG and
SVG; empty states explain what to do."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components import charts, theme
from data_access import db, queries
from data_access.config import ENV_VAR
from data_access.importer import import_workbook
from data_access.rules import maps as rules
from tests.apptest_support import markdown_text, new_app, run
from tests.workbooks import ADMIN, FACILITIES_HEADER, FINDINGS_HEADER, return_workbook

PAGE = "pages/map.py"
SEVERITY_ORDER = ("critical", "high", "medium", "low")
CLASS_HEX = {
    **{s: theme.colour("severity", s) for s in SEVERITY_ORDER},
    "none_open": theme.GREEN,
    "not_audited": theme.LIGHT_GREY,
    "under_50": theme.VERMILLION,
    "50_to_80": theme.ORANGE,
    "80_to_100": theme.SKY_BLUE,
    "all": theme.GREEN,
    "no_findings": theme.LIGHT_GREY,
}


def _open(query: dict | None = None):
    at = run(new_app(query))
    return run(at.switch_page(PAGE))


def _deck(at) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def _rgb(hex_colour: str) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)]


def _legend(at) -> str:
    return next(h.proto.body for h in at.get("html") if "Open findings (circle size)" in h.proto.body)


def _table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Worst open" in d.value.columns)


# --------------------------------------------------------------------------- expected, independently


def _expected(eng, quarter: str, countries: list[str] | None) -> pd.DataFrame:
    """Per facility: position, pilot, open/overdue counts, worst open severity
    and share remediated, from the facility list and the findings as at the quarter."""
    fac = queries.facilities(eng, countries).set_index("facility_id")
    fnd = queries.findings_as_at(eng, quarter, countries)
    rows = []
    for fid, f in fac.iterrows():
        mine = fnd[fnd["facility_id"] == fid]
        open_ = mine[mine["status"].isin(("open", "in progress"))]
        worst = min(open_["severity"], key=SEVERITY_ORDER.index) if len(open_) else None
        done = mine["status"].isin(("remediated", "verified")).sum()
        rows.append(
            dict(
                facility_id=fid,
                name=f["name"],
                country=f["country"],
                lat=f["latitude"],
                lon=f["longitude"],
                pilot=bool(f["pilot"]),
                findings=len(mine),
                open=len(open_),
                overdue=int(open_["overdue"].sum()),
                worst=worst,
                share=done / len(mine) if len(mine) else None,
            )
        )
    return pd.DataFrame(rows).set_index("facility_id")


def _severity_class(e) -> str:
    if isinstance(e["worst"], str):
        return e["worst"]
    return "none_open" if e["findings"] else "not_audited"


def _remediation_class(e) -> str:
    if not e["findings"]:
        return "no_findings"
    s = e["share"]
    return "all" if s >= 1 else "80_to_100" if s >= 0.8 else "50_to_80" if s >= 0.5 else "under_50"


@pytest.fixture
def eng(sample_url):
    return db.connect(sample_url)


# --------------------------------------------------------------------------- the deck


@pytest.mark.parametrize(
    "quarter, countries",
    [
        ("2026-Q3", None),
        ("2024-Q1", None),  # the first returns: every pilot prison has open critical or high findings
        ("2025-Q2", ["KGZ", "TJK"]),
    ],
)
def test_the_deck_draws_each_facility_in_the_colour_of_its_worst_open_finding(eng, quarter, countries):
    query = {"quarter": quarter} | ({"countries": ",".join(countries)} if countries else {})
    at = _open(query)
    assert at.markdown[0].value == f"### Map of facilities · {quarter}"
    spec = _deck(at)
    assert [layer["id"] for layer in spec["layers"]] == [
        "sea",
        "borders",
        "country-labels",
        "pilot-rings",
        "facilities",
    ]
    expected = _expected(eng, quarter, countries)
    points = {p["facility_id"]: p for p in _layer(spec, "facilities")["data"]}
    assert set(points) == set(expected.index)
    for fid, e in expected.iterrows():
        p = points[fid]
        assert p["colour"][:3] == _rgb(CLASS_HEX[_severity_class(e)]), fid
        assert p["colour"][3] == 255
        assert (p["open"], p["overdue"], p["pilot"]) == (e["open"], e["overdue"], e["pilot"]), fid
        assert p["radius"] == pytest.approx(rules.marker_radius(e["open"]))
        # city level: exactly the stored city centre, to 2 decimals, never finer
        assert (p["lat"], p["lon"]) == (round(e["lat"], 2), round(e["lon"], 2))
        assert p["tip_findings"] == f"Open findings: {e['open']} · overdue: {e['overdue']}"
        assert p["name"] == e["name"]
    rings = _layer(spec, "pilot-rings")["data"]
    assert {r["facility_id"] for r in rings} == set(expected.index[expected["pilot"]])
    # larger circles first, so that a smaller one in the same city stays visible on top
    radii = [p["radius"] for p in _layer(spec, "facilities")["data"]]
    assert radii == sorted(radii, reverse=True)
    # the legend counts the classes
    legend = _legend(at)
    for cls, n in pd.Series([_severity_class(e) for _, e in expected.iterrows()]).value_counts().items():
        label = {"none_open": "No open finding", "not_audited": "No finding recorded"}.get(cls, cls.capitalize())
        assert f"{label}<span style='color:{theme.MUTED}'> · {n}</span>" in legend


def test_the_first_quarter_shows_the_pilot_prisons_critical_findings(eng):
    at = _open({"quarter": "2024-Q1"})
    points = {p["facility_id"]: p for p in _layer(_deck(at), "facilities")["data"]}
    assert points["KAZ-TRZ-01"]["colour_class"] == "critical"  # Taraz High Security Prison
    assert points["KAZ-TRZ-01"]["colour"][:3] == _rgb(theme.VERMILLION)
    assert points["TJK-DUS-01"]["colour_class"] == "high"
    assert points["KAZ-KST-01"]["colour_class"] == "not_audited"  # Kostanay Training Academy


def test_no_basemap_no_token_no_url(eng):
    at = _open()
    deck = at.get("deck_gl_json_chart")[0].proto
    spec = json.loads(deck.json)
    # pydeck's placeholder: Streamlit's front end draws no basemap (None would mean Carto's)
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec and not deck.mapbox_token
    assert "http" not in deck.json and "http" not in deck.tooltip
    assert all(not isinstance(layer.get("data"), str) for layer in spec["layers"])
    view = spec["initialViewState"]
    assert view["maxZoom"] == rules.MAX_ZOOM and view["minZoom"] == rules.MIN_ZOOM
    assert spec["views"] == [{"@@type": "MapView", "controller": {"dragRotate": False, "touchRotate": False}}]
    # the borders are inline: programme countries highlighted, neighbours faint
    tiers = {f["properties"]["iso_a3"]: f["properties"]["tier"] for f in _layer(spec, "borders")["data"]["features"]}
    assert {c: tiers[c] for c in ("IRQ", "KAZ", "KGZ", "TJK")} == dict.fromkeys(
        ("IRQ", "KAZ", "KGZ", "TJK"), "selected"
    )
    assert tiers["UZB"] == tiers["IRN"] == tiers["CHN"] == "neighbour"
    assert len(deck.json) < 400_000  # compact JSON: the borders cost about 200 KB


def test_the_view_fits_the_selected_countries(eng):
    at = _open({"countries": "KGZ"})
    spec = _deck(at)
    view = spec["initialViewState"]
    assert 39.2 < view["latitude"] < 43.3 and 69.2 < view["longitude"] < 80.3  # inside Kyrgyzstan
    everyone = _deck(_open())["initialViewState"]
    assert view["zoom"] > everyone["zoom"] + 1.5
    tiers = {f["properties"]["iso_a3"]: f["properties"]["tier"] for f in _layer(spec, "borders")["data"]["features"]}
    assert tiers["KGZ"] == "selected" and tiers["TJK"] == tiers["KAZ"] == tiers["IRQ"] == "programme"
    assert {p["country"] for p in _layer(spec, "facilities")["data"]} == {"KGZ"}
    labels = [label["text"] for label in _layer(spec, "country-labels")["data"]]
    assert sorted(labels) == ["Iraq", "Kazakhstan", "Kyrgyzstan", "Tajikistan"]


def test_colour_by_share_remediated(eng):
    at = _open({"quarter": "2024-Q3"})
    at.radio(key="map_colour_by").set_value("remediation")
    run(at)
    expected = _expected(eng, "2024-Q3", None)
    points = {p["facility_id"]: p for p in _layer(_deck(at), "facilities")["data"]}
    classes = {fid: _remediation_class(e) for fid, e in expected.iterrows()}
    assert {fid: p["colour_class"] for fid, p in points.items()} == classes
    assert all(points[fid]["colour"][:3] == _rgb(CLASS_HEX[c]) for fid, c in classes.items())
    assert len(set(classes.values())) >= 3  # the quarter really tells the bands apart
    legend = _legend(at)
    assert "Share of findings remediated" in legend and "50% to under 80%" in legend


# --------------------------------------------------------------------------- table and facility panel


def test_the_table_lists_the_same_facilities_with_the_same_filters(eng):
    at = _open({"quarter": "2025-Q4", "countries": "KAZ,TJK"})
    expected = _expected(eng, "2025-Q4", ["KAZ", "TJK"])
    table = _table(at).set_index("Facility")
    assert sorted(table.index) == sorted(expected["name"])
    by_name = expected.set_index("name")
    assert table["Open"].to_dict() == by_name["open"].to_dict()
    assert table["Overdue"].to_dict() == by_name["overdue"].to_dict()
    assert table["Pilot"].to_dict() == by_name["pilot"].to_dict()
    assert set(table["City, country"]) >= {"Taraz, Kazakhstan", "Dushanbe, Tajikistan"}
    assert at.main.caption[-1].value.startswith(f"{len(expected)} facilities")

    at.toggle(key="map_pilots_only").set_value(True)
    run(at)
    pilots = expected[expected["pilot"]]
    assert sorted(_table(at)["Facility"]) == sorted(pilots["name"])
    assert {p["facility_id"] for p in _layer(_deck(at), "facilities")["data"]} == set(pilots.index)


def test_choosing_a_facility_shows_its_findings_and_links_to_them(eng):
    at = _open({"quarter": "2026-Q3"})
    assert not at.get("page_link")
    at.selectbox(key="map_facility").select("TJK-DUS-01")
    run(at)
    e = _expected(eng, "2026-Q3", ["TJK"]).loc["TJK-DUS-01"]
    text = markdown_text(at)
    assert "**Dushanbe prison**" in text
    assert f"**{e['findings']}** findings raised · **{e['open']}** open · **{e['overdue']}** overdue" in text
    grid = next(d.value for d in at.dataframe if d.value.index.name == "Severity")
    fnd = queries.findings_as_at(eng, "2026-Q3", ["TJK"])
    mine = fnd[fnd["facility_id"] == "TJK-DUS-01"]
    assert int(grid.to_numpy().sum()) == len(mine)
    assert int(grid.loc["High", "In progress"]) == len(mine[(mine.severity == "high") & (mine.status == "in progress")])
    open_ids = mine.loc[mine["status"].isin(("open", "in progress")), "finding_id"]
    assert all(fid in text for fid in open_ids)
    links = at.get("page_link")
    assert len(links) == 1
    assert links[0].proto.page == "findings"
    assert links[0].proto.query_string == "facility=TJK-DUS-01&quarter=2026-Q3"

    # a country filter that leaves the facility out clears the choice
    at.sidebar.multiselect[0].set_value(["IRQ"])
    run(at)
    assert at.selectbox(key="map_facility").value is None and not at.get("page_link")


# --------------------------------------------------------------------------- the static map


def test_the_static_map_is_a_geoshape_chart_that_exports(eng):
    at = _open({"countries": "TJK"})
    assert not at.get("vega_lite_chart")  # built only when its expander is opened
    at.session_state["map_static_open"] = True
    run(at)
    charts_ = at.get("vega_lite_chart")
    assert len(charts_) == 1
    spec = json.loads(charts_[0].proto.spec)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["geoshape", "geoshape", "text", "point", "circle"]
    assert spec["projection"]["type"] == "mercator"
    assert spec["title"]["text"] == "Facilities and their audit findings, 2026-Q3"
    assert '"url"' not in charts_[0].proto.spec  # every dataset inline: nothing to fetch

    # the same chart, rebuilt the page's way, renders offline to PNG and SVG
    from components import map_layers

    fac = queries.facility_findings_summary(eng, "2026-Q3", ["TJK"])
    marks_df = map_layers.markers(fac, rules.BY_SEVERITY, {"TJK": "Tajikistan"})
    chart = map_layers.static_chart(
        marks_df,
        selected=["TJK"],
        programme=["IRQ", "KAZ", "KGZ", "TJK"],
        names={"TJK": "Tajikistan"},
        mode=rules.BY_SEVERITY,
        title="Map",
        subtitle="Tajikistan",
    )
    png = charts.to_png(chart, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = charts.to_svg(chart)
    assert svg.startswith(b"<svg") and b"<path" in svg


# --------------------------------------------------------------------------- empty states


@pytest.fixture
def small_url(tmp_path, monkeypatch):
    """A database with one Tajik return: a non-pilot prison with no
    coordinates and one with them, and a finding."""
    url = f"sqlite:///{tmp_path / 'small.db'}"
    eng = db.connect(url)
    facilities = [
        FACILITIES_HEADER,
        ["TJK-X-01", "Prison without position", "prison", "Khorog", None, None, "no", None],
        ["TJK-X-02", "Prison Khujand", "prison", "Khujand", 40.28, 69.62, "no", None],
    ]
    findings = [
        FINDINGS_HEADER,
        ["F1", "TJK-X-02", "2024-02-01", "physical", "medium", "Gate", None, "open", "2024-12-31", None, None],
    ]
    r = import_workbook(
        eng, ADMIN, return_workbook("TJK", "2024-Q1", Facilities=facilities, Findings=findings), "r.xlsx"
    )
    assert r.status == "applied", r.report()
    db.dispose_all()
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("DASHBOARD_LOAD_SAMPLE", "0")
    yield url
    db.dispose_all()


def test_a_facility_without_coordinates_is_listed_not_drawn(small_url):
    at = _open()
    points = _layer(_deck(at), "facilities")["data"]
    assert [p["facility_id"] for p in points] == ["TJK-X-02"]
    assert points[0]["colour_class"] == "medium"
    table = _table(at).set_index("Facility")
    assert table.loc["Prison without position", "On the map"] == "no"
    assert any(
        "1 facility has no coordinates and is listed in the table only: Prison without position." in c.value
        for c in at.caption
    )


def test_pilot_prisons_only_explains_when_there_is_none(small_url):
    at = _open()
    at.toggle(key="map_pilots_only").set_value(True)
    run(at)
    assert not at.get("deck_gl_json_chart")
    assert "None of the facilities of All countries is a pilot prison" in at.info[0].value


def test_a_country_without_facilities_explains_what_to_do(small_url):
    at = _open({"countries": "IRQ"})
    assert not at.get("deck_gl_json_chart")
    text = markdown_text(at)
    assert "#### No facility to show" in text and "No facility has been reported for Iraq" in text


def test_an_empty_database_explains_what_to_do(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("DASHBOARD_LOAD_SAMPLE", "0")
    try:
        at = _open()
        assert at.markdown[0].value == "### Map of facilities"
        assert "#### No data yet" in "\n".join(m.value for m in at.markdown)
    finally:
        db.dispose_all()


def test_the_shipped_borders_are_small_and_cover_the_programme():
    from components import map_layers

    path = map_layers.BORDERS_FILE
    assert path.stat().st_size < 1_000_000
    gj = json.loads(path.read_text(encoding="utf-8"))
    codes = {f["properties"]["iso_a3"] for f in gj["features"]}
    assert {"IRQ", "KAZ", "KGZ", "TJK", "UZB", "TKM", "AFG", "IRN", "SYR", "TUR", "CHN", "RUS"} <= codes
    assert "Natural Earth" in gj["source"]["data"] and "world-atlas" in gj["source"]["package"]
    for f in gj["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for ring in (r for p in polys for r in p):
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert all(round(v, 3) == v for pt in ring for v in pt)


def test_a_deck_that_would_fetch_a_basemap_is_refused():
    import pydeck as pdk

    from components import map_layers

    layer = pdk.Layer("ScatterplotLayer", id="p", data=[{"lon": 70, "lat": 40}], get_position=["lon", "lat"])
    view = pdk.ViewState(latitude=40, longitude=70, zoom=3)
    map_layers.check_offline(pdk.Deck(layers=[layer], initial_view_state=view, map_provider=None))
    for kwargs in (
        dict(map_provider=None, map_style=None),  # Streamlit would fetch Carto's positron style
        dict(),  # pydeck's defaults: Carto's dark-matter style
        dict(map_provider="mapbox", map_style="mapbox://styles/mapbox/light-v9"),
    ):
        with pytest.raises(ValueError):
            map_layers.check_offline(pdk.Deck(layers=[layer], initial_view_state=view, **kwargs))
    remote = pdk.Layer("GeoJsonLayer", id="g", data="https://example.org/borders.geojson")
    with pytest.raises(ValueError):
        map_layers.check_offline(pdk.Deck(layers=[remote], initial_view_state=view, map_provider=None))
