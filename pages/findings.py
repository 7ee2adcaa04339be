"""Audit findings: what is still open, what is late, whether remediation is
speeding up or stalling, and one finding's whole story. Everything is the
state at the end of the selected quarter, rebuilt from the status history.

Layout and widgets only: figures come from ``components.data_findings``
(cached ``data_access.findings`` queries, every filter applied in SQL), the
rules (overdue, ageing bands, remediation speed, timeline) from
``data_access.rules.findings``, the look from ``components``.

Links: ``?facility=<facility_id>`` (comma-separated for several) preselects
the facility filter and follows it; ``?finding=<finding_id>`` opens that
finding's timeline.
"""

import zlib

import altair as alt
import pandas as pd
import streamlit as st

from components import charts, data_findings, filters, kpi, layout, theme
from components import formatting as fmt
from components.i18n import label, t, tn
from components.layout import escape
from data_access.findings import NO_FILTER, FindingFilter
from data_access.rules import findings as rules
from data_access.rules.quarters import parse_quarter
from data_access.rules.reference import FINDING_DOMAINS, FINDING_SEVERITIES, FINDING_STATUSES
from data_access.rules.status import GOOD_DOWN, GOOD_UP, NEUTRAL

K = "findings_"  # prefix of this page's widget keys
FACILITY_KEY, DOMAIN_KEY, SEVERITY_KEY = K + "facility", K + "domain", K + "severity"
STATUS_KEY, OWNER_KEY, OVERDUE_KEY = K + "status", K + "owner", K + "overdue"
TAB_KEY, PER_KEY, FINDING_KEY = K + "tab", K + "per", K + "finding_id"
SEARCH_KEY, SORT_KEY, DESC_KEY, PAGE_KEY, SIZE_KEY = K + "search", K + "sort", K + "desc", K + "page", K + "size"
FACILITY_PARAM, FINDING_PARAM = "facility", "finding"
WEAK_SPOTS = 25  # facilities in the weakest-spots table
CHART_HEIGHT = 340  # lower, a long vertical axis title would overflow the plot and cut the chart's title
POLARITY = {
    "open": GOOD_DOWN,
    "in progress": NEUTRAL,
    "remediated": GOOD_UP,
    "verified": GOOD_UP,
    "risk accepted": NEUTRAL,
    "overdue": GOOD_DOWN,
    "median_days_to_remediate": GOOD_DOWN,
}

f = filters.current()

if f.quarter is None:
    layout.page_header(t("findings.title"))
    layout.no_data()
    st.stop()

q = f.quarter
Q = parse_quarter(q)
compared = f.previous_quarter if f.previous_has_data else None
layout.page_header(
    t("findings.title_as_at", quarter=q),
    t("findings.subtitle", countries=f.countries_label(), quarter=q, previous=compared)
    if compared
    else t("findings.subtitle_first", countries=f.countries_label(), quarter=q),
)
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]


# --------------------------------------------------------------------------- links in and out


def _link_values(param: str) -> tuple[str, ...]:
    return tuple(v.strip() for item in st.query_params.get_all(param) for v in str(item).split(",") if v.strip())


def _arrived(param: str) -> tuple[str, ...] | None:
    """The values of ``param`` when the address brings new ones (a link from
    another page, or typed), else None. Values this page wrote are not news."""
    values = _link_values(param)
    seen_key = f"_{K}{param}_link"
    if not values or values == st.session_state.get(seen_key):
        return None
    st.session_state[seen_key] = values
    return values


def _mirror(param: str, values) -> None:
    """Write the selection into the address so that a copied link shows it."""
    values = tuple(values)
    if _link_values(param) != values:
        if values:
            st.query_params[param] = ",".join(values)
        elif param in st.query_params:
            del st.query_params[param]
    st.session_state[f"_{K}{param}_link"] = values


def _keep_valid(key: str, options) -> None:
    """Drop selected values that are no longer offered (other countries or quarter)."""
    value = list(st.session_state.get(key) or [])
    kept = [v for v in value if v in options]
    if kept != value:
        st.session_state[key] = kept


# --------------------------------------------------------------------------- the page's filters

facilities = data_findings.facilities(f.countries)
facility_names = dict(zip(facilities["facility_id"], facilities["name"], strict=False))
owner_options = data_findings.owners(f.countries, q)

linked = _arrived(FACILITY_PARAM)
if linked is not None:
    by_upper = {fid.upper(): fid for fid in facility_names}
    known = [by_upper[v.upper()] for v in linked if v.upper() in by_upper]
    ignored = [v for v in linked if v.upper() not in by_upper]
    st.session_state[FACILITY_KEY] = list(dict.fromkeys(known))
    if ignored:
        st.toast(t("findings.link_ignored", values=", ".join(ignored)), icon=":material/link_off:")
linked_finding = _arrived(FINDING_PARAM)
if linked_finding:
    st.session_state[FINDING_KEY] = linked_finding[0]
    st.session_state[TAB_KEY] = t("findings.tab.list")

_keep_valid(FACILITY_KEY, facility_names)
_keep_valid(OWNER_KEY, owner_options)


def _clear_filters() -> None:
    for key in (FACILITY_KEY, DOMAIN_KEY, SEVERITY_KEY, STATUS_KEY, OWNER_KEY):
        st.session_state[key] = []
    st.session_state[OVERDUE_KEY] = False


cols = st.columns([2.9, 1.6, 1.6, 1.8, 2.1, 1.7], gap="small", vertical_alignment="bottom")
cols[0].multiselect(
    t("findings.filter.facility"),
    list(facility_names),
    key=FACILITY_KEY,
    format_func=lambda fid: t("findings.filter.facility_option", name=facility_names.get(fid, fid), id=fid),
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.facility_help"),
    persist_state="session",
)
cols[1].multiselect(
    t("findings.filter.domain"),
    list(FINDING_DOMAINS),
    key=DOMAIN_KEY,
    format_func=lambda v: label("finding_domain", v),
    placeholder=t("findings.filter.all"),
    persist_state="session",
)
cols[2].multiselect(
    t("findings.filter.severity"),
    list(FINDING_SEVERITIES),
    key=SEVERITY_KEY,
    format_func=lambda v: label("severity", v),
    placeholder=t("findings.filter.all"),
    persist_state="session",
)
cols[3].multiselect(
    t("findings.filter.status"),
    list(FINDING_STATUSES),
    key=STATUS_KEY,
    format_func=lambda v: label("finding_status", v),
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.status_help"),
    persist_state="session",
)
cols[4].multiselect(
    t("findings.filter.owner"),
    owner_options,
    key=OWNER_KEY,
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.owner_help"),
    persist_state="session",
)
cols[5].toggle(
    t("findings.filter.overdue"), key=OVERDUE_KEY, help=t("findings.filter.overdue_help"), persist_state="session"
)

flt = FindingFilter(
    facilities=tuple(st.session_state.get(FACILITY_KEY) or ()),
    domains=tuple(st.session_state.get(DOMAIN_KEY) or ()),
    severities=tuple(st.session_state.get(SEVERITY_KEY) or ()),
    statuses=tuple(st.session_state.get(STATUS_KEY) or ()),
    owners=tuple(st.session_state.get(OWNER_KEY) or ()),
    overdue_only=bool(st.session_state.get(OVERDUE_KEY)),
)
_mirror(FACILITY_PARAM, flt.facilities)

total = data_findings.finding_count(f.countries, q, NO_FILTER)
if total == 0:
    layout.empty_state(
        t("findings.empty.title", countries=f.countries_label(), quarter=q),
        t("findings.empty.body", quarter=q),
        [t("findings.empty.step_quarter"), t("findings.empty.step_countries"), t("findings.empty.step_upload")],
        links=["upload"],
    )
    st.stop()

matching = data_findings.finding_count(f.countries, q, flt) if flt.active else total
line, button = st.columns([5, 1.3], vertical_alignment="center")
line.markdown(
    t("findings.matching", n=fmt.number(matching), total=fmt.number(total), quarter=q)
    if flt.active
    else t("findings.matching_all", total=fmt.number(total), quarter=q)
)
if flt.active:
    button.button(
        t("findings.filter.clear"),
        on_click=_clear_filters,
        icon=":material/filter_alt_off:",
        key=K + "clear",
        width="stretch",
    )

if matching == 0:
    layout.empty_state(
        t("findings.nomatch.title"),
        t("findings.nomatch.body", total=fmt.number(total), quarter=q, countries=f.countries_label()),
        [t("findings.nomatch.step")],
    )
    st.stop()

# --------------------------------------------------------------------------- tiles

headline = data_findings.headline(f.countries, q, flt)


def _tile_value(metric: str, value):
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if metric == "median_days_to_remediate" else int(value)


# Seven tiles share the row: slightly smaller labels, so that none breaks inside a word on a 1280 px screen.
st.html("""<style>
.st-key-findings_tiles [data-testid="stMetric"] { padding-left: 0.55rem !important; padding-right: 0.45rem !important; }
.st-key-findings_tiles [data-testid="stMetricLabel"] p { font-size: 0.8rem !important; word-break: normal !important;
  overflow-wrap: normal !important; }
</style>""")
with st.container(key=K + "tiles"):
    kpi.tile_row(
        [
            kpi.Tile(
                label=t(f"findings.tile.{r.metric}"),
                value=_tile_value(r.metric, r.value),
                previous=_tile_value(r.metric, r.previous),
                polarity=POLARITY[r.metric],
                help=t(f"findings.tile.{r.metric}.help", quarter=q, end=fmt.date(Q.end)),
                key=r.metric,
            )
            for r in headline.itertuples()
        ],
        compared,
        per_row=7,
    )


# --------------------------------------------------------------------------- chart helpers


def _sev(v) -> str:
    return label("severity", v)


def _status(v) -> str:
    return label("finding_status", v)


def _domain(v) -> str:
    return label("finding_domain", v)


def _present_scale(kind: str, values) -> alt.Scale:
    return theme.scale(kind, [v for v in theme.ORDER[kind] if v in set(values)])


def _tint(hex_colour: str, strength: float = 0.35) -> str:
    """A light version of a theme colour for table cells (dark text stays readable)."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02X}" for c in rgb)


# --------------------------------------------------------------------------- tab: burn-down and weakest spots


def burn_down_section() -> None:
    quarters = list(f.quarters)
    bd = data_findings.burn_down(f.countries, quarters[0], quarters[-1], flt)
    if bd.empty:
        st.info(t("findings.burn.none"), icon=":material/info:")
        return
    c_q, c_s = t("findings.burn.col.quarter"), t("findings.burn.col.severity")
    c_open, c_over = t("findings.burn.col.open"), t("findings.burn.col.overdue")
    table = pd.DataFrame(
        {c_q: bd["quarter"], c_s: [_sev(s) for s in bd["severity"]], c_open: bd["open"], c_over: bd["overdue"]}
    )
    order = {_sev(s): i for i, s in enumerate(theme.ORDER["severity"])}
    bars_data = table.assign(_order=table[c_s].map(order), _later=[x > q for x in table[c_q]])
    x = alt.X(
        f"{c_q}:N",
        sort=quarters,
        scale=alt.Scale(domain=quarters),
        title=t("findings.burn.axis.quarter"),
        axis=alt.Axis(labelAngle=-45 if len(quarters) > 10 else 0),
    )
    bars = (
        alt.Chart(bars_data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(f"sum({c_open}):Q", title=t("findings.burn.axis.open"), axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color(
                f"{c_s}:N",
                title=c_s,
                scale=_present_scale("severity", bd["severity"]),
                sort=theme.sort_order("severity"),
            ),
            order=alt.Order("_order:Q", sort="ascending"),
            opacity=alt.Opacity("_later:N", scale=alt.Scale(domain=[False, True], range=[1.0, 0.4]), legend=None),
            tooltip=[
                alt.Tooltip(f"{c_q}:N"),
                alt.Tooltip(f"{c_s}:N"),
                alt.Tooltip(f"{c_open}:Q", format=",d"),
                alt.Tooltip(f"{c_over}:Q", format=",d"),
            ],
        )
    )
    overdue = (
        bd.groupby("quarter")["overdue"].sum().reindex(quarters, fill_value=0).rename_axis(c_q).reset_index(name=c_over)
    )
    overdue["series"] = t("findings.burn.overdue_series")
    line = (
        alt.Chart(overdue)
        .mark_line(point=True, color=theme.BLACK, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y(f"{c_over}:Q"),
            strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip(f"{c_q}:N"), alt.Tooltip(f"{c_over}:Q", format=",d")],
        )
    )
    marker = pd.DataFrame({c_q: [q], "label": [t("findings.burn.as_at")]})
    rule = alt.Chart(marker).mark_rule(color=theme.MUTED, strokeDash=[5, 4], strokeWidth=2).encode(x=x)
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-4, baseline="top", color=theme.MUTED, fontSize=12)
        .encode(x=x, y=alt.value(0), text="label:N")
    )
    chart = charts.titled(
        alt.layer(bars, line, rule, text).resolve_scale(color="independent"),
        t("findings.burn.title"),
        t("findings.burn.subtitle", countries=f.countries_label(), quarter=q),
    )
    charts.show(
        chart, table, key=K + "burn_down", filename=f"open-findings-by-quarter_{q}", notes=notes, height=CHART_HEIGHT
    )
    st.caption(t("findings.burn.caption", quarter=q))


def weakest_spots_section() -> None:
    st.markdown(f"#### {t('findings.weak.title')}")
    fd, n_facilities = data_findings.weakest_spots(f.countries, q, flt, WEAK_SPOTS)
    if fd.empty:
        st.info(t("findings.weak.empty"), icon=":material/info:")
        return
    domains = [d for d in FINDING_DOMAINS if d in set(fd["domain"])]
    rows = []
    for (country, _fid, name), g in fd.groupby(["country", "facility_id", "facility"], sort=False):
        by_domain = {r.domain: r for r in g.itertuples()}
        open_total, overdue_total = int(g["open"].sum()), int(g["overdue"].sum())
        worst = min(
            (s for s in g["worst_open_severity"] if isinstance(s, str)),
            key=lambda s: theme.ORDER["severity"].index(s),
            default=None,
        )
        row = {t("findings.weak.col.facility"): name, t("findings.weak.col.country"): f.names.get(country, country)}
        style = {}
        for d in domains:
            r = by_domain.get(d)
            if r is None:
                row[_domain(d)] = ""
            elif r.open:
                row[_domain(d)] = t("findings.weak.cell", n=r.open, severity=_sev(r.worst_open_severity))
                style[_domain(d)] = _tint(theme.colour("severity", r.worst_open_severity))
            else:
                row[_domain(d)] = t("findings.weak.none_open")
        row[t("findings.weak.col.total")] = (
            t("findings.weak.cell", n=open_total, severity=_sev(worst)) if open_total else t("findings.weak.none_open")
        )
        if worst:
            style[t("findings.weak.col.total")] = _tint(theme.colour("severity", worst))
        row[t("findings.weak.col.overdue")] = overdue_total
        rows.append((rules.weakness_key(worst, open_total, overdue_total), name, row, style))
    rows.sort(key=lambda r: (r[0], r[1]))
    table = pd.DataFrame([r[2] for r in rows])
    backgrounds = [r[3] for r in rows]

    def paint(col: pd.Series) -> list[str]:
        return [
            f"background-color: {backgrounds[i][col.name]}" if col.name in backgrounds[i] else ""
            for i in range(len(col))
        ]

    st.dataframe(
        table.style.apply(paint, axis=0), hide_index=True, width="stretch", height=min(38 + 35 * len(table), 420)
    )
    st.caption(t("findings.weak.caption"))
    if n_facilities > len(table):
        st.caption(t("findings.weak.limited", shown=len(table), n=fmt.number(n_facilities)))


# --------------------------------------------------------------------------- tab: status breakdown


def breakdown_section() -> None:
    choices = {"country": t("findings.breakdown.per.country"), "facility_id": t("findings.breakdown.per.facility")}
    per = st.segmented_control(
        t("findings.breakdown.per"),
        list(choices),
        key=PER_KEY,
        default="country",
        required=True,
        format_func=choices.get,
    )
    per = per or "country"
    per_name = (
        t("findings.breakdown.per_name.country") if per == "country" else t("findings.breakdown.per_name.facility")
    )
    c_group = t("findings.breakdown.col.country" if per == "country" else "findings.breakdown.col.facility")
    c_status, c_n, c_over = (
        t("findings.breakdown.col.status"),
        t("findings.breakdown.col.findings"),
        t("findings.breakdown.col.overdue"),
    )
    status_order = {_status(s): i for i, s in enumerate(theme.ORDER["finding_status"])}
    for dim, _kind, title_key, fmt_value in (
        ("domain", None, "findings.breakdown.domain_title", _domain),
        ("severity", "severity", "findings.breakdown.severity_title", _sev),
    ):
        counts = data_findings.status_counts(f.countries, q, flt, (per, dim))
        c_dim = t(f"findings.breakdown.col.{dim}")
        groups = counts["facility"] if per == "facility_id" else counts["country"].map(lambda c: f.names.get(c, c))
        table = pd.DataFrame(
            {
                c_group: groups,
                c_dim: [fmt_value(v) for v in counts[dim]],
                c_status: [_status(s) for s in counts["status"]],
                c_n: counts["findings"],
                c_over: counts["overdue"],
            }
        )
        group_order = list(
            dict.fromkeys(table.groupby(c_group, sort=False)[c_n].sum().sort_values(ascending=False).index)
        )
        dims_present = [
            fmt_value(v) for v in (FINDING_DOMAINS if dim == "domain" else FINDING_SEVERITIES) if v in set(counts[dim])
        ]
        label_width = 210 if per == "facility_id" else 95
        width = max(120, int((930 - label_width - 12 * len(dims_present)) / max(1, len(dims_present))))
        base = (
            alt.Chart(table.assign(_order=table[c_status].map(status_order)))
            .mark_bar()
            .encode(
                y=alt.Y(f"{c_group}:N", title=None, sort=group_order, axis=alt.Axis(labelLimit=label_width)),
                x=alt.X(
                    f"sum({c_n}):Q",
                    title=t("findings.breakdown.axis.findings"),
                    axis=alt.Axis(format=",d", tickMinStep=1),
                ),
                color=alt.Color(
                    f"{c_status}:N",
                    title=c_status,
                    scale=_present_scale("finding_status", counts["status"]),
                    sort=theme.sort_order("finding_status"),
                ),
                order=alt.Order("_order:Q", sort="ascending"),
                tooltip=[
                    alt.Tooltip(f"{c_group}:N"),
                    alt.Tooltip(f"{c_dim}:N"),
                    alt.Tooltip(f"{c_status}:N"),
                    alt.Tooltip(f"{c_n}:Q", format=",d"),
                    alt.Tooltip(f"{c_over}:Q", format=",d"),
                ],
            )
            .properties(width=width, height=alt.Step(20 if per == "country" else 17))
        )
        chart = base.facet(
            column=alt.Column(
                f"{c_dim}:N", sort=dims_present, title=None, header=alt.Header(labelFontSize=14, labelFontWeight=600)
            ),
            spacing=12,
        )
        chart = charts.titled(
            chart,
            t(title_key, per=per_name),
            t("findings.breakdown.subtitle", countries=f.countries_label(), quarter=q),
        )
        charts.show(chart, table, key=f"{K}status_by_{dim}", filename=f"findings-status-by-{dim}_{q}", notes=notes)


# --------------------------------------------------------------------------- tab: ageing and speed


def ageing_section() -> None:
    ag = data_findings.ageing(f.countries, q, flt)
    c_band, c_sev, c_n = t("findings.age.col.band"), t("findings.age.col.severity"), t("findings.age.col.findings")
    left, right = st.columns(2, gap="large")
    for col, measure, bands, prefix in (
        (left, "age", rules.AGE_BANDS, "findings.age"),
        (right, "past_due", rules.PAST_DUE_BANDS, "findings.late"),
    ):
        rows = ag[ag["measure"] == measure]
        with col:
            if rows.empty:
                st.info(t(f"{prefix}.none", quarter=q), icon=":material/info:")
                continue
            band_labels = [t(f"findings.band.{b.key}") for b in bands]
            table = pd.DataFrame(
                {
                    c_band: [t(f"findings.band.{b}") for b in rows["band"]],
                    c_sev: [_sev(s) for s in rows["severity"]],
                    c_n: rows["findings"],
                }
            )
            chart = charts.stacked_bars(
                table,
                x=c_band,
                y=c_n,
                colour=c_sev,
                kind="severity",
                title=t(f"{prefix}.title"),
                subtitle=t(f"{prefix}.subtitle", quarter=q, n=fmt.number(int(rows["findings"].sum()))),
                x_title=t(f"{prefix}.axis.band"),
                y_title=t(f"{prefix}.axis.findings"),
                legend_title=c_sev,
                x_sort=band_labels,
            )
            charts.show(
                chart,
                table,
                key=f"{K}{measure}",
                filename=f"findings-{measure.replace('_', '-')}_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )


def speed_section() -> None:
    st.markdown(f"#### {t('findings.speed.heading')}")
    st.caption(t("findings.speed.caption", quarter=q))
    overall = data_findings.remediation_speed(f.countries, q, flt, ())
    if overall.empty or int(overall["remediated"].iloc[0]) == 0:
        st.info(t("findings.speed.none", quarter=q), icon=":material/info:")
        return
    by_country = data_findings.remediation_speed(f.countries, q, flt, ("country",))
    by_domain = data_findings.remediation_speed(f.countries, q, flt, ("domain",))
    c_group, c_measure, c_days = (
        t("findings.speed.col.group"),
        t("findings.speed.col.measure"),
        t("findings.speed.col.days"),
    )
    measures = {"remediated": t("findings.speed.measure.remediated"), "verified": t("findings.speed.measure.verified")}
    left, right = st.columns(2, gap="large")
    for col, frame, key, title_key, naming in (
        (left, by_country, "country", "findings.speed.by_country_title", lambda c: f.names.get(c, c)),
        (right, by_domain, "domain", "findings.speed.by_domain_title", _domain),
    ):
        long = pd.DataFrame(
            [
                {
                    c_group: naming(r[key]),
                    c_measure: measures[m],
                    c_days: None if pd.isna(r[f"median_days_to_{m}"]) else float(r[f"median_days_to_{m}"]),
                }
                for _, r in frame.iterrows()
                for m in measures
            ]
        )
        long = long.dropna(subset=[c_days])
        order = [naming(v) for v in frame[key]]
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X(f"{c_group}:N", title=t(f"findings.speed.col.{key}"), sort=order),
                xOffset=alt.XOffset(f"{c_measure}:N", sort=list(measures.values())),
                y=alt.Y(f"{c_days}:Q", title=t("findings.speed.axis.days"), axis=alt.Axis(format=",d")),
                color=alt.Color(
                    f"{c_measure}:N",
                    title=c_measure,
                    sort=list(measures.values()),
                    scale=alt.Scale(domain=list(measures.values()), range=[theme.SKY_BLUE, theme.GREEN]),
                ),
                tooltip=[
                    alt.Tooltip(f"{c_group}:N"),
                    alt.Tooltip(f"{c_measure}:N"),
                    alt.Tooltip(f"{c_days}:Q", format=",.0f"),
                ],
            )
        )
        with col:
            charts.show(
                charts.titled(
                    chart, t(title_key), t("findings.speed.subtitle", countries=f.countries_label(), quarter=q)
                ),
                long,
                key=f"{K}speed_{key}",
                filename=f"remediation-days-by-{key}_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )

    # punctuality and counts
    st.markdown(f"##### {t('findings.speed.table_title')}")
    c_by = t("findings.speed.col.by")
    rows = []
    for by_label, frame, key, naming in (
        (t("findings.speed.all"), overall, None, None),
        (t("findings.speed.col.country"), by_country, "country", lambda c: f.names.get(c, c)),
        (t("findings.speed.col.domain"), by_domain, "domain", _domain),
    ):
        for _, r in frame.iterrows():
            rows.append(
                {
                    c_by: by_label,
                    c_group: f.countries_label() if key is None else naming(r[key]),
                    t("findings.speed.col.findings"): int(r["findings"]),
                    t("findings.speed.col.remediated"): int(r["remediated"]),
                    t("findings.speed.col.median_remediated"): r["median_days_to_remediated"],
                    t("findings.speed.col.verified"): int(r["verified"]),
                    t("findings.speed.col.median_verified"): r["median_days_to_verified"],
                    t("findings.speed.col.due", quarter=q): int(r["due"]),
                    t("findings.speed.col.on_time"): int(r["on_time"]),
                    t("findings.speed.col.on_time_share"): (
                        None if pd.isna(r["on_time_share"]) else float(r["on_time_share"]) * 100
                    ),
                }
            )
    table = pd.DataFrame(rows)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            t("findings.speed.col.median_remediated"): st.column_config.NumberColumn(
                format="%.0f", help=t("findings.speed.help.median_remediated")
            ),
            t("findings.speed.col.median_verified"): st.column_config.NumberColumn(
                format="%.0f", help=t("findings.speed.help.median_verified")
            ),
            t("findings.speed.col.due", quarter=q): st.column_config.NumberColumn(
                help=t("findings.speed.help.due", quarter=q)
            ),
            t("findings.speed.col.on_time"): st.column_config.NumberColumn(help=t("findings.speed.help.on_time")),
            t("findings.speed.col.on_time_share"): st.column_config.ProgressColumn(
                format="%.0f%%", min_value=0, max_value=100, help=t("findings.speed.help.on_time_share")
            ),
        },
    )

    # the flow: how many findings reached "remediated" each quarter
    flow = data_findings.remediation_speed(f.countries, q, flt, ("remediated_quarter",))
    if not flow.empty:
        c_q, c_rem = t("findings.speed.col.quarter"), t("findings.speed.col.remediated_in_quarter")
        quarters = [x for x in f.quarters if x <= q]
        fdata = (
            pd.DataFrame({c_q: flow["remediated_quarter"], c_rem: flow["remediated"]})
            .set_index(c_q)
            .reindex(quarters, fill_value=0)
            .rename_axis(c_q)
            .reset_index()
        )
        chart = (
            alt.Chart(fdata)
            .mark_bar(color=theme.SKY_BLUE)
            .encode(
                x=alt.X(
                    f"{c_q}:N",
                    title=t("findings.speed.axis.quarter"),
                    sort=quarters,
                    axis=alt.Axis(labelAngle=-45 if len(quarters) > 10 else 0),
                ),
                y=alt.Y(
                    f"{c_rem}:Q", title=t("findings.speed.axis.remediated"), axis=alt.Axis(format=",d", tickMinStep=1)
                ),
                tooltip=[alt.Tooltip(f"{c_q}:N"), alt.Tooltip(f"{c_rem}:Q", format=",d")],
            )
        )
        charts.show(
            charts.titled(
                chart, t("findings.speed.flow_title"), t("findings.speed.flow_subtitle", countries=f.countries_label())
            ),
            fdata,
            key=f"{K}speed_flow",
            filename=f"findings-remediated-per-quarter_{q}",
            notes=notes,
            height=280,
        )


# --------------------------------------------------------------------------- tab: findings and timelines

SORT_LABELS = {k: t(f"findings.list.sort.{k}") for k in rules.SORT_KEYS}


def _pick_row(table_key: str, ids: list[str]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[FINDING_KEY] = ids[rows[0]]


def list_section() -> None:
    c1, c2, c3, c4 = st.columns([3.2, 2, 1.2, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("findings.list.search"),
        key=SEARCH_KEY,
        placeholder=t("findings.list.search_placeholder"),
        persist_state="session",
        icon=":material/search:",
    )
    sort = c2.selectbox(
        t("findings.list.sort"),
        list(rules.SORT_KEYS),
        key=SORT_KEY,
        format_func=SORT_LABELS.get,
        persist_state="session",
    )
    descending = c3.toggle(t("findings.list.descending"), key=DESC_KEY, persist_state="session")
    size = c4.selectbox(
        t("findings.list.page_size"),
        list(rules.PAGE_SIZES),
        index=rules.PAGE_SIZES.index(rules.DEFAULT_PAGE_SIZE),
        key=SIZE_KEY,
        persist_state="session",
    )
    search = (search or "").strip()
    signature = repr((flt, search, sort, descending, size, q, f.countries))
    if st.session_state.get(K + "_list_signature") != signature:  # another list: back to its first page
        st.session_state[K + "_list_signature"] = signature
        st.session_state[PAGE_KEY] = 1
    page = max(1, int(st.session_state.get(PAGE_KEY) or 1))
    rows, count = data_findings.findings_page(f.countries, q, flt, search, sort, descending, size, (page - 1) * size)
    if count == 0:
        st.info(t("findings.list.none", search=escape(search)), icon=":material/search_off:")
        return
    pages = rules.page_count(count, size)
    if page > pages:
        page = pages
        rows, count = data_findings.findings_page(
            f.countries, q, flt, search, sort, descending, size, (page - 1) * size
        )
    offset = (page - 1) * size

    info, pager, download = st.columns([5, 1.1, 1.6], vertical_alignment="bottom")
    info.markdown(
        t(
            "findings.list.showing",
            first=fmt.number(offset + 1),
            last=fmt.number(offset + len(rows)),
            total=fmt.number(count),
            sort=SORT_LABELS[sort].lower(),
        )
    )
    if pages > 1:
        st.session_state[PAGE_KEY] = page
        pager.number_input(t("findings.list.page"), min_value=1, max_value=pages, step=1, key=PAGE_KEY)
    download.download_button(
        t("findings.list.download", n=fmt.number(count)),
        data=lambda: charts.data_csv(
            _readable(data_findings.findings_page(f.countries, q, flt, search, sort, descending, None, 0)[0])
        ),
        file_name=f"findings_{q}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=K + "download",
        help=t("findings.list.download_help", quarter=q),
        width="stretch",
    )

    ids = list(rows["finding_id"])
    table_key = f"{K}table_{zlib.crc32((signature + str(page)).encode()):08x}"  # a new list: no stale selection
    shown = _readable(rows)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 430),
        key=table_key,
        on_select=lambda: _pick_row(table_key, ids),
        selection_mode="single-row",
        column_order=[
            t(f"findings.list.col.{c}")
            for c in (
                "finding_id",
                "severity",
                "status",
                "due_date",
                "days_overdue",
                "facility",
                "domain",
                "owner",
                "title",
                "audit_date",
                "status_quarter",
                "country",
            )
        ],
        column_config={
            t("findings.list.col.title"): st.column_config.TextColumn(width="large"),
            t("findings.list.col.due_date"): st.column_config.DateColumn(format="D MMM YYYY"),
            t("findings.list.col.audit_date"): st.column_config.DateColumn(format="D MMM YYYY"),
            t("findings.list.col.finding_id"): st.column_config.TextColumn(pinned=True),
            t("findings.list.col.days_overdue"): st.column_config.TextColumn(alignment="right"),
        },
    )


def _readable(rows: pd.DataFrame) -> pd.DataFrame:
    """The findings with readable column labels and translated values."""
    out = pd.DataFrame(
        {
            t("findings.list.col.finding_id"): rows["finding_id"],
            t("findings.list.col.country"): [f.names.get(c, c) for c in rows["country"]],
            t("findings.list.col.facility"): rows["facility"],
            t("findings.list.col.audit_date"): pd.to_datetime(rows["audit_date"]).dt.date,
            t("findings.list.col.domain"): [_domain(d) for d in rows["domain"]],
            t("findings.list.col.severity"): [_sev(s) for s in rows["severity"]],
            t("findings.list.col.title"): rows["title"],
            t("findings.list.col.status"): [_status(s) for s in rows["status"]],
            t("findings.list.col.due_date"): pd.to_datetime(rows["due_date"]).dt.date,
            t("findings.list.col.days_overdue"): [_days(d) for d in rows["days_overdue"]],
            t("findings.list.col.owner"): rows["owner"],
            t("findings.list.col.status_quarter"): rows["status_quarter"],
            t("findings.list.col.status_note"): rows["status_note"],
            t("findings.list.col.recommendation"): rows["recommendation"],
        }
    )
    return out


def timeline_section() -> None:
    st.markdown(f"#### {t('findings.timeline.heading')}")
    wanted = st.text_input(
        t("findings.timeline.pick"),
        key=FINDING_KEY,
        placeholder=t("findings.timeline.pick_placeholder"),
        help=t("findings.timeline.pick_help"),
        persist_state="session",
        icon=":material/timeline:",
        width=460,
    )
    wanted = (wanted or "").strip()
    _mirror(FINDING_PARAM, (wanted,) if wanted else ())
    if not wanted:
        st.caption(t("findings.timeline.hint"))
        return
    facts = data_findings.finding(wanted)
    if facts is None:
        st.warning(t("findings.timeline.unknown", id=escape(wanted)), icon=":material/search_off:")
        return
    fid = facts["finding_id"]
    rows, later = data_findings.finding_timeline(fid, q)
    if not rows:
        st.info(t("findings.timeline.not_yet", id=escape(fid), quarter=q), icon=":material/schedule:")
        return
    now = rows[-1]
    if facts["country"] not in f.scope:
        st.caption(t("findings.timeline.outside", country=f.names.get(facts["country"], facts["country"])))
    st.markdown(t("findings.timeline.title", id=escape(fid), title=escape(facts["title"])))
    st.markdown(
        t(
            "findings.timeline.facts",
            facility=escape(facts["facility"]),
            country=escape(f.names.get(facts["country"], facts["country"])),
            domain=_domain(facts["domain"]),
            audit=fmt.date(facts["audit_date"]),
            severity=theme.badge("severity", facts["severity"]),
        )
    )
    state = t(
        "findings.timeline.state",
        quarter=q,
        status=theme.badge("finding_status", now.status),
        due=fmt.date(now.due_date),
        owner=escape(now.owner or t("common.none")),
    )
    if now.overdue:
        state += " " + t("findings.timeline.overdue", days=fmt.number(now.days_overdue))
    st.markdown(state)
    if facts.get("recommendation"):
        st.markdown(t("findings.timeline.recommendation", text=escape(facts["recommendation"])))
    changes = rules.status_changes(rows)
    st.caption(
        t(
            "findings.timeline.summary",
            quarter=q,
            first=rows[0].quarter,
            changes=tn("findings.timeline.changes_count", len(changes) - 1),
        )
    )

    c_q, c_status = t("findings.timeline.col.quarter"), t("findings.timeline.col.status")
    table = pd.DataFrame(
        [
            {
                c_q: r.quarter,
                c_status: _status(r.status),
                t("findings.timeline.col.changes"): _describe(r),
                t("findings.timeline.col.note"): r.note if r.reported else None,
                t("findings.timeline.col.due_date"): r.due_date,
                t("findings.timeline.col.owner"): r.owner,
                t("findings.timeline.col.overdue"): _days(r.days_overdue),
                t("findings.timeline.col.reported_by"): _source(r.source) if r.reported else None,
            }
            for r in reversed(rows)
        ]
    )
    muted = [not r.reported for r in reversed(rows)]
    colours = [_tint(theme.colour("finding_status", r.status), 0.3) for r in reversed(rows)]

    def paint(row: pd.Series) -> list[str]:
        i = row.name
        base = f"color: {theme.MUTED}; font-style: italic" if muted[i] else ""
        return [f"background-color: {colours[i]}" if c == c_status else base for c in row.index]

    st.dataframe(
        table.style.apply(paint, axis=1),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 460),
        column_config={
            c_q: st.column_config.TextColumn(pinned=True),
            t("findings.timeline.col.changes"): st.column_config.TextColumn(width="medium"),
            t("findings.timeline.col.note"): st.column_config.TextColumn(width="large"),
            t("findings.timeline.col.due_date"): st.column_config.DateColumn(format="D MMM YYYY"),
            t("findings.timeline.col.overdue"): st.column_config.TextColumn(alignment="right"),
        },
    )
    if later:
        st.caption(tn("findings.timeline.later", later, quarter=q))


def _describe(r: rules.TimelineRow) -> str:
    parts = []
    for change in r.changes:
        if change == rules.RAISED:
            parts.append(t("findings.timeline.raised", status=_status(r.status)))
        elif change == rules.STATUS:
            parts.append(t("findings.timeline.status", before=_status(r.previous_status), after=_status(r.status)))
        elif change == rules.DUE_DATE:
            parts.append(t("findings.timeline.due", before=fmt.date(r.previous_due_date), after=fmt.date(r.due_date)))
        elif change == rules.OWNER:
            parts.append(
                t(
                    "findings.timeline.owner",
                    before=r.previous_owner or t("common.none"),
                    after=r.owner or t("common.none"),
                )
            )
        elif change == rules.NOTE:
            parts.append(t("findings.timeline.note"))
        elif change == rules.UNCHANGED:
            parts.append(t("findings.timeline.unchanged"))
    return " · ".join(parts)


def _days(days) -> str:
    """Days overdue as text (empty when not overdue: a blank reads better than "None")."""
    return "" if days is None or pd.isna(days) else fmt.number(days)


def _source(source) -> str | None:
    if not source:
        return None
    return t(
        "findings.timeline.source",
        file=source.get("file_name") or t("common.none"),
        who=source.get("uploaded_by") or t("common.none"),
    )


# --------------------------------------------------------------------------- the tabs

tab_labels = [t("findings.tab.progress"), t("findings.tab.breakdown"), t("findings.tab.speed"), t("findings.tab.list")]
tabs = st.tabs(tab_labels, key=TAB_KEY, on_change="rerun")
with tabs[0]:
    if tabs[0].open is not False:
        burn_down_section()
        weakest_spots_section()
with tabs[1]:
    if tabs[1].open is not False:
        breakdown_section()
with tabs[2]:
    if tabs[2].open is not False:
        ageing_section()
        speed_section()
with tabs[3]:
    if tabs[3].open is not False:
        list_section()
        timeline_section()
