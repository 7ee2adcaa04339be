"""Country profiles: one country's figures as at the selected quarter next to
the 2019-2023 report's baseline, shares derived from them, the programme's
context, every indicator over time, activities and facilities; and a
comparison of the selected countries, absolute and per 100 prisoners.
Layout only: figures come from ``components.data_profiles`` (cached
``data_access`` queries), shares and their rules from
``data_access.rules.countries``, the look from ``components``."""

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from components import charts, data_profiles, filters, kpi, layout, nav, theme
from components import format as fmt
from components.i18n import has, label, t, tn
from components.layout import escape
from data_access.rules import countries as rules
from data_access.rules.quarters import parse_quarter

VIEW_KEY = "profiles_view"
VIEW_PARAM = "country"
COMPARE = "compare"
SERIES_HEIGHT = 230
CHART_HEIGHT = 300
CHARTS_PER_ROW = 3

f = filters.current()

if f.quarter is None:
    layout.page_header(t("profiles.title"))
    layout.no_data()
    st.stop()

q = f.quarter
scope = list(f.scope)
names = f.names
compared = f.previous_quarter if f.previous_has_data else None
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]

layout.page_header(t("profiles.title_as_at", quarter=q), t("profiles.subtitle", countries=f.countries_label()))


# --------------------------------------------------------------------------- wording helpers


def ind_label(code: str, fallback: str | None = None) -> str:
    key = f"profiles.indicator.{code}"
    return t(key) if has(key) else (fallback or code)


def ind_short(code: str, fallback: str | None = None) -> str:
    key = f"profiles.short.{code}"
    return t(key) if has(key) else ind_label(code, fallback)


def source_text(kind, by, at, file) -> str:
    if rules.is_report(kind):
        return t("profiles.source.report")
    return t("profiles.source.upload", file=file or t("common.none"), when=fmt.date(at), who=by or t("common.none"))


def figure_text(value, approximate: bool = False) -> str:
    return fmt.number(value, approx=bool(approximate))


def share_text(unit: str, value, approximate: bool = False) -> str:
    if fmt.missing(value):
        return t("fmt.missing")
    if unit == rules.SHARE:
        text = fmt.percent(value, decimals=rules.decimals_for(value * 100))
    else:
        text = fmt.number(value, decimals=rules.decimals_for(value))
    return t("fmt.approx", value=text) if approximate else text


def quarter_end(quarter: str) -> str:
    return parse_quarter(quarter).end.isoformat()


def time_axis(first: str) -> alt.X:
    """Quarters on a time axis: each point at the end of its quarter (figures are
    as at the quarter's end), a tick a year, from the first quarter to the selected one."""
    return alt.X(
        "date:T",
        title=t("profiles.axis.quarter"),
        scale=alt.Scale(
            domain=[parse_quarter(first).start.isoformat(), (parse_quarter(q).end + dt.timedelta(days=45)).isoformat()]
        ),
        axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelFontSize=11, grid=False),
    )


# --------------------------------------------------------------------------- choosing the view

options = [*scope, COMPARE]
if st.session_state.get(VIEW_KEY) not in options:
    wanted = str(st.query_params.get(VIEW_PARAM, "")).strip()
    match = next((o for o in options if wanted and wanted.upper() in (o.upper(), names.get(o, o).upper())), None)
    st.session_state[VIEW_KEY] = match or options[0]
view = st.segmented_control(
    t("profiles.view"),
    options,
    key=VIEW_KEY,
    required=True,
    label_visibility="collapsed",
    format_func=lambda o: t("profiles.compare_option", n=len(scope)) if o == COMPARE else names.get(o, o),
    help=t("profiles.view_help"),
)
if st.query_params.get(VIEW_PARAM) != view:
    st.query_params[VIEW_PARAM] = view


# =========================================================================== one country


def profile(c: str) -> None:
    name = names.get(c, c)
    status = data_profiles.data_status((c,), q).iloc[0]
    figures = data_profiles.key_figures((c,), q)
    st.markdown(f"#### {escape(name)}")
    if status["status"] == rules.NONE:
        layout.empty_state(
            t("profiles.none.title", country=name),
            t("profiles.none.body", country=name, quarter=q),
            [t("empty.step_template"), t("empty.step_upload")],
            links=["upload"],
        )
        context(c)
        return
    if status["status"] == rules.CARRIED:
        st.warning(
            t("profiles.carried", country=name, quarter=q, last=status["last_quarter"]), icon=":material/history:"
        )
    else:
        st.caption(
            t(
                "profiles.current",
                quarter=q,
                source=source_text(
                    status["upload_kind"], status["upload_by"], status["upload_at"], status["upload_file"]
                ),
            )
        )

    shares = data_profiles.derived_shares((c,), q).set_index("share")
    before = (
        data_profiles.derived_shares((c,), compared).set_index("share") if compared else pd.DataFrame(columns=["value"])
    )
    tiles(figures.set_index("indicator"), shares, before)

    tab_figures, tab_time, tab_activities, tab_facilities = st.tabs(
        [t("profiles.tab.figures"), t("profiles.tab.time"), t("profiles.tab.activities"), t("profiles.tab.facilities")]
    )
    with tab_figures:
        key_figures_table(figures)
        shares_table(shares.reset_index())
        context(c)
    with tab_time:
        series(c, figures)
    with tab_activities:
        activities(c)
    with tab_facilities:
        facilities(c)


def tiles(figures: pd.DataFrame, shares: pd.DataFrame, before: pd.DataFrame) -> None:
    def count(code: str) -> kpi.Tile:
        if code not in figures.index:
            return kpi.Tile(label=t(f"profiles.tile.{code}"), value=None, help=t("profiles.tile.not_reported"))
        r = figures.loc[code]
        text = t(f"profiles.tile.{code}")
        if r["carried"]:
            text = t("profiles.tile.carried", label=text, quarter=r["quarter"])
        help_ = t(
            "profiles.tile.help",
            quarter=r["quarter"],
            source=source_text(r["source_kind"], r["source_by"], r["source_at"], r["source_file"]),
        )
        return kpi.Tile(
            label=text,
            value=r["value"],
            previous=r["previous_value"],
            approximate=bool(r["approximate"]),
            help=help_,
            key=code,
        )

    def share(code: str) -> kpi.Tile:
        d = shares.loc[code] if code in shares.index else None
        unit = rules.SHARE_BY_CODE[code].unit
        text = t(f"profiles.tile.{code}")
        if d is None or fmt.missing(d["value"]):
            return kpi.Tile(label=text, value=None, help=t("profiles.tile.not_reported"))
        if d["carried"]:
            text = t("profiles.tile.carried", label=text, quarter=d["quarter"])
        prev = before.loc[code, "value"] if code in before.index else None
        return kpi.Tile(
            label=text,
            value=d["value"],
            previous=prev,
            kind=kpi.SHARE if unit == rules.SHARE else kpi.COUNT,
            approximate=bool(d["approximate"]),
            decimals=rules.decimals_for(d["value"] * (100 if unit == rules.SHARE else 1)),
            help=share_note(code, d),
            key=code,
        )

    specs = [
        count("prisoners_total"),
        count("ve_prisoners"),
        share("ve_per_100"),
        count("ftf_detainees"),
        share("ftf_per_100"),
    ]
    kpi.tile_row(specs, compared, per_row=len(specs))


def share_note(code: str, d) -> str:
    parts = [t(f"profiles.share_help.{code}")]
    if d["approximate"]:
        parts.append(
            t(
                "profiles.share.approx_because",
                inputs=", ".join(ind_short(i) for i in str(d["approximate_inputs"]).split(",") if i),
            )
        )
    if d["mixed_quarters"]:
        parts.append(t("profiles.share.mixed", num=d["numerator_quarter"], den=d["denominator_quarter"]))
    if d["missing_inputs"]:
        parts.append(
            t(
                "profiles.share.missing",
                inputs=", ".join(ind_short(i) for i in str(d["missing_inputs"]).split(",") if i),
            )
        )
    return " ".join(parts)


def key_figures_table(figures: pd.DataFrame) -> None:
    st.markdown(f"##### {t('profiles.figures.title')}")
    st.caption(t("profiles.figures.caption", quarter=q))
    notes_ = []
    for r in figures.itertuples():
        note = r.note if isinstance(r.note, str) else ""
        if isinstance(r.baseline_note, str) and r.baseline_note and r.baseline_note != note:
            note = (note + " · " if note else "") + t("profiles.figures.baseline_note", note=r.baseline_note)
        notes_.append(note)
    table = pd.DataFrame(
        {
            t("profiles.col.indicator"): [
                ind_label(c, lb) for c, lb in zip(figures["indicator"], figures["label"], strict=False)
            ],
            t("profiles.col.figure", quarter=q): [
                figure_text(v, a) for v, a in zip(figures["value"], figures["approximate"], strict=False)
            ],
            t("profiles.col.reported_for"): figures["quarter"],
            t("profiles.col.baseline"): [
                figure_text(v, a)
                for v, a in zip(figures["baseline_value"], figures["baseline_approximate"], strict=False)
            ],
            t("profiles.col.change_since_baseline"): [
                t("fmt.missing") if fmt.missing(d) else fmt.signed(d) for d in figures["change_since_baseline"]
            ],
            t("profiles.col.source"): [
                source_text(*s)
                for s in zip(
                    figures["source_kind"],
                    figures["source_by"],
                    figures["source_at"],
                    figures["source_file"],
                    strict=False,
                )
            ],
            t("profiles.col.baseline_source"): [
                t("profiles.source.with_quarter", source=source_text(*s[:4]), quarter=s[4])
                for s in zip(
                    figures["baseline_source_kind"],
                    figures["baseline_source_by"],
                    figures["baseline_source_at"],
                    figures["baseline_source_file"],
                    figures["baseline_quarter"],
                    strict=False,
                )
            ],
            t("profiles.col.note"): notes_,
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="profiles_key_figures",
        height=36 + 35 * len(table),
        column_config={t("profiles.col.note"): st.column_config.TextColumn(width="large")},
    )


def shares_table(shares: pd.DataFrame) -> None:
    st.markdown(f"##### {t('profiles.shares.title')}")
    st.caption(t("profiles.shares.caption"))
    rows = []
    for _, d in shares.iterrows():
        formula = t("fmt.missing")
        if not d["missing_inputs"]:
            formula = t(
                "profiles.share.formula",
                num=figure_text(d["numerator_value"], d["numerator_approximate"]),
                num_label=t(f"profiles.unit.{d['numerator']}"),
                den=figure_text(d["denominator_value"], d["denominator_approximate"]),
                den_label=t(f"profiles.unit.{d['denominator']}"),
            )
        rows.append(
            {
                t("profiles.col.measure"): t(f"profiles.share.{d['share']}"),
                t("profiles.col.value"): share_text(d["unit"], d["value"], d["approximate"]),
                t("profiles.col.reported_for"): d["quarter"] if isinstance(d["quarter"], str) else t("fmt.missing"),
                t("profiles.col.computed_from"): formula,
                t("profiles.col.note"): share_note(d["share"], d),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="profiles_shares")


def context(c: str) -> None:
    ctx = data_profiles.context().set_index("code")
    if c not in ctx.index:
        return
    row = ctx.loc[c]
    if not (isinstance(row["background"], str) or isinstance(row["achievements"], str)):
        return
    st.markdown(f"##### {t('profiles.context.title')}")
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('profiles.context.background')}**")
        st.markdown(escape(row["background"]) if isinstance(row["background"], str) else t("profiles.context.none"))
    with right:
        st.markdown(f"**{t('profiles.context.achievements')}**")
        st.markdown(escape(row["achievements"]) if isinstance(row["achievements"], str) else t("profiles.context.none"))
    st.caption(t("profiles.context.caption"))


# --------------------------------------------------------------------------- over time


def series(c: str, figures: pd.DataFrame) -> None:
    history = data_profiles.indicator_history((c,), q)
    if history.empty:
        st.info(t("profiles.series.none"), icon=":material/info:")
        return
    first = history["quarter"].min()
    st.caption(t("profiles.series.caption"))
    base = figures.set_index("indicator")
    codes = list(dict.fromkeys(history["indicator"]))
    for start in range(0, len(codes), CHARTS_PER_ROW):
        cols = st.columns(CHARTS_PER_ROW, gap="medium")
        for col, code in zip(cols, codes[start : start + CHARTS_PER_ROW], strict=False):
            rows = history[history["indicator"] == code]
            b = base.loc[code] if code in base.index else None
            with col:
                series_chart(c, code, rows, b, first)


def series_chart(c: str, code: str, rows: pd.DataFrame, b, first: str) -> None:
    title = ind_short(code, rows["label"].iloc[0])
    kinds = []
    for qq, approx in zip(rows["quarter"], rows["approximate"], strict=False):
        if b is not None and qq == b["baseline_quarter"]:
            kinds.append(t("profiles.series.kind_baseline"))
        else:
            kinds.append(t("profiles.series.kind_approx") if approx else t("profiles.series.kind_reported"))
    frame = pd.DataFrame(
        {
            "quarter": rows["quarter"].to_numpy(),
            "date": [quarter_end(x) for x in rows["quarter"]],
            "value": rows["value"].astype(float).to_numpy(),
            "kind": kinds,
            "shown": [figure_text(v, a) for v, a in zip(rows["value"], rows["approximate"], strict=False)],
            "source": [
                source_text(*s)
                for s in zip(
                    rows["source_kind"], rows["source_by"], rows["source_at"], rows["source_file"], strict=False
                )
            ],
        }
    )
    y_title = (
        t("profiles.axis.facilities") if code in ("prisons_total", "pretrial_centres") else t("profiles.axis.people")
    )
    baseline = None
    if b is not None and not fmt.missing(b["baseline_value"]):
        baseline = (
            float(b["baseline_value"]),
            figure_text(b["baseline_value"], b["baseline_approximate"]),
            b["baseline_quarter"],
        )
    chart = _series_spec(frame, title, y_title, first, baseline)
    download = pd.DataFrame(
        {
            t("profiles.col.country"): names.get(c, c),
            t("profiles.col.indicator"): title,
            t("profiles.col.reported_for"): frame["quarter"],
            t("profiles.col.value"): frame["value"],
            t("profiles.col.approximate"): rows["approximate"].astype(bool).to_numpy(),
            t("profiles.series.legend"): frame["kind"],
            t("profiles.col.source"): frame["source"],
        }
    )
    charts.show(
        chart,
        download,
        key=f"profiles_series_{c}_{code}",
        filename=f"{c}_{code}_{q}",
        notes=notes,
        height=SERIES_HEIGHT,
    )


@charts.cached
def _series_spec(
    frame: pd.DataFrame, title: str, y_title: str, first: str, baseline: tuple[float, str, str] | None
) -> alt.TopLevelMixin:
    """One indicator over time: the reported values, marked by kind, and the
    baseline (value, its text, its quarter) as a dashed rule."""
    kind_domain = [
        t("profiles.series.kind_baseline"),
        t("profiles.series.kind_reported"),
        t("profiles.series.kind_approx"),
    ]
    x = time_axis(first)
    y = alt.Y(
        "value:Q",
        title=y_title,
        scale=alt.Scale(zero=False, nice=True),
        axis=alt.Axis(format=",~d", tickMinStep=1, tickCount=4, labelFontSize=11),
    )
    chart_base = alt.Chart(frame)
    line = chart_base.mark_line(color=theme.BLUE, strokeWidth=2).encode(x=x, y=y)
    points = chart_base.mark_point(size=60, filled=True, opacity=1).encode(
        x=x,
        y="value:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=kind_domain, range=[theme.ORANGE, theme.BLUE, theme.SKY_BLUE]),
            legend=alt.Legend(title=None, orient="top", labelFontSize=11, symbolSize=60, offset=4),
        ),
        shape=alt.Shape(
            "kind:N", scale=alt.Scale(domain=kind_domain, range=["diamond", "circle", "triangle-up"]), legend=None
        ),
        tooltip=[
            alt.Tooltip("quarter:N", title=t("profiles.col.reported_for")),
            alt.Tooltip("shown:N", title=title),
            alt.Tooltip("kind:N", title=t("profiles.series.legend")),
            alt.Tooltip("source:N", title=t("profiles.col.source")),
        ],
    )
    layers = [line, points]
    subtitle = None
    if baseline is not None:
        value, text, quarter = baseline
        subtitle = t("profiles.series.baseline_subtitle", value=text, quarter=quarter)
        layers.insert(
            0,
            alt.Chart(pd.DataFrame({"baseline": [value]}))
            .mark_rule(color=theme.ORANGE, strokeDash=[5, 4], strokeWidth=1.5)
            .encode(y="baseline:Q"),
        )
    return charts.titled(alt.layer(*layers), title, subtitle)


# --------------------------------------------------------------------------- activities


def activities(c: str) -> None:
    by_type = data_profiles.activity_by_quarter((c,), q)
    running = data_profiles.activity_running_totals((c,), q)
    if by_type.empty:
        st.info(t("profiles.activities.none", quarter=q), icon=":material/info:")
        return
    total = running.iloc[-1]
    now = running[running["quarter"] == q]
    now_row = now.iloc[0] if len(now) else None
    kpi.tile_row(
        [
            kpi.Tile(
                label=t("profiles.activities.tile_activities"),
                value=int(total["cumulative_activities"]),
                help=t("profiles.activities.tile_since_help"),
            ),
            kpi.Tile(
                label=t("profiles.activities.tile_participants"),
                value=int(total["cumulative_participants"]),
                help=t("profiles.activities.tile_since_help"),
            ),
            kpi.Tile(
                label=t("profiles.activities.tile_women"),
                value=total["cumulative_female_share"],
                kind=kpi.SHARE,
                help=t("profiles.activities.tile_women_help"),
            ),
            kpi.Tile(
                label=t("profiles.activities.tile_quarter", quarter=q),
                value=int(now_row["participants"]) if now_row is not None else 0,
                help=t("profiles.activities.tile_quarter_help", quarter=q),
            ),
        ],
        None,
        per_row=4,
    )

    returns = by_type[~by_type["from_report"] & (by_type["participants"] > 0)]
    report_quarters = set(by_type.loc[by_type["from_report"], "quarter"])
    labels = [t("profiles.activities.report_quarter") if x in report_quarters else x for x in running["quarter"]]
    left, middle, right = st.columns(3, gap="medium")
    with left:
        if returns.empty:
            st.info(t("profiles.activities.none_since_report"), icon=":material/info:")
        else:
            quarters = list(dict.fromkeys(returns["quarter"]))
            data_ = pd.DataFrame(
                {
                    t("profiles.col.quarter"): returns["quarter"],
                    t("profiles.col.type"): [label("activity_type", v) for v in returns["type"]],
                    t("profiles.col.participants"): returns["participants"],
                }
            )
            chart = (
                charts.stacked_bars(
                    data_,
                    x=t("profiles.col.quarter"),
                    y=t("profiles.col.participants"),
                    colour=t("profiles.col.type"),
                    kind=None,
                    title=t("profiles.activities.by_type_title"),
                    subtitle=t("profiles.activities.by_type_subtitle"),
                    x_title=t("profiles.axis.quarter"),
                    y_title=t("profiles.axis.participants"),
                    legend_title=t("profiles.col.type"),
                    x_sort=quarters,
                )
                .encode(
                    x=alt.X(
                        f"{t('profiles.col.quarter')}:N",
                        title=t("profiles.axis.quarter"),
                        sort=quarters,
                        axis=alt.Axis(labelAngle=-45, labelFontSize=11),
                    )
                )
                .configure_legend(columns=3)
            )
            charts.show(
                chart,
                data_,
                key=f"profiles_activities_{c}",
                filename=f"{c}_participants-by-type_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )
    download = pd.DataFrame(
        {
            t("profiles.col.quarter"): running["quarter"],
            t("profiles.col.activities"): running["activities"],
            t("profiles.col.participants"): running["participants"],
            t("profiles.col.women"): running["female_participants"],
            t("profiles.col.women_share"): running["female_share"],
            t("profiles.col.cumulative_participants"): running["cumulative_participants"],
            t("profiles.col.cumulative_women_share"): running["cumulative_female_share"],
        }
    )
    dates = [quarter_end(x) for x in running["quarter"]]
    x = time_axis(running["quarter"].iloc[0])
    with middle:
        per_q, since = t("profiles.activities.women_per_quarter"), t("profiles.activities.women_since")
        frame = pd.concat(
            [
                pd.DataFrame({"quarter": labels, "date": dates, "share": running["female_share"], "series": per_q}),
                pd.DataFrame(
                    {"quarter": labels, "date": dates, "share": running["cumulative_female_share"], "series": since}
                ),
            ]
        ).dropna(subset=["share"])
        frame["shown"] = [fmt.percent(v) for v in frame["share"]]
        women = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=x,
                y=alt.Y(
                    "share:Q",
                    title=t("profiles.axis.women_share"),
                    scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format=".0%"),
                ),
                color=alt.Color(
                    "series:N",
                    title=None,
                    sort=[per_q, since],
                    scale=alt.Scale(domain=[per_q, since], range=[theme.PURPLE, theme.GREY]),
                ),
                strokeDash=alt.StrokeDash(
                    "series:N",
                    sort=[per_q, since],
                    title=None,
                    scale=alt.Scale(domain=[per_q, since], range=[[1, 0], [5, 4]]),
                ),
                tooltip=[
                    alt.Tooltip("quarter:N", title=t("profiles.col.quarter")),
                    alt.Tooltip("series:N", title=t("profiles.col.measure")),
                    alt.Tooltip("shown:N", title=t("profiles.col.women_share")),
                ],
            )
        )
        charts.show(
            charts.titled(women, t("profiles.activities.women_title"), t("profiles.activities.women_subtitle")),
            download,
            key=f"profiles_women_{c}",
            filename=f"{c}_women-among-participants_{q}",
            notes=notes,
            height=CHART_HEIGHT,
        )
    with right:
        frame = pd.DataFrame(
            {
                "quarter": labels,
                "date": dates,
                "cumulative": running["cumulative_participants"],
                "series": t("profiles.col.participants"),
            }
        )
        cum = (
            alt.Chart(frame)
            .mark_line(point=True, color=theme.BLUE)
            .encode(
                x=x,
                y=alt.Y("cumulative:Q", title=t("profiles.axis.cumulative"), axis=alt.Axis(format=",d")),
                color=alt.Color("series:N", title=None, scale=alt.Scale(range=[theme.BLUE])),
                tooltip=[
                    alt.Tooltip("quarter:N", title=t("profiles.col.quarter")),
                    alt.Tooltip("cumulative:Q", title=t("profiles.axis.cumulative"), format=",d"),
                ],
            )
        )
        chart = charts.titled(
            cum, t("profiles.activities.cumulative_title"), t("profiles.activities.cumulative_subtitle")
        )
        charts.show(
            chart,
            download,
            key=f"profiles_cumulative_{c}",
            filename=f"{c}_participants-cumulative_{q}",
            notes=notes,
            height=CHART_HEIGHT,
        )

    st.markdown(f"##### {t('profiles.activities.table_title')}")
    st.caption(t("profiles.activities.table_caption", quarter=q))
    totals = by_type.groupby("type", sort=True)[
        ["activities", "participants", "female_participants", "share_base"]
    ].sum()
    this_q = by_type[by_type["quarter"] == q].set_index("type")
    table = pd.DataFrame(
        {
            t("profiles.col.type"): [label("activity_type", v) for v in totals.index],
            t("profiles.col.quarter_activities", quarter=q): [
                fmt.number(this_q["activities"].get(v, 0)) for v in totals.index
            ],
            t("profiles.col.quarter_participants", quarter=q): [
                fmt.number(this_q["participants"].get(v, 0)) for v in totals.index
            ],
            t("profiles.col.quarter_women_share", quarter=q): [
                fmt.percent(rules.female_share(this_q["female_participants"].get(v, 0), this_q["share_base"].get(v, 0)))
                for v in totals.index
            ],
            t("profiles.col.total_activities"): [fmt.number(v) for v in totals["activities"]],
            t("profiles.col.total_participants"): [fmt.number(v) for v in totals["participants"]],
            t("profiles.col.total_women"): [fmt.number(v) for v in totals["female_participants"]],
            t("profiles.col.total_women_share"): [
                fmt.percent(rules.female_share(w, b))
                for w, b in zip(totals["female_participants"], totals["share_base"], strict=False)
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key=f"profiles_activity_table_{c}")


# --------------------------------------------------------------------------- facilities


def facilities(c: str) -> None:
    fac = data_profiles.facilities((c,), q)
    if fac.empty:
        st.info(t("profiles.facilities.none"), icon=":material/info:")
        return
    st.caption(t("profiles.facilities.caption", quarter=q))
    widths = [4, 2.2, 1.2, 1.2, 1.6, 2.6]
    head = st.columns(widths, vertical_alignment="bottom")
    for col, key in zip(head, ("facility", "type_city", "open", "overdue", "worst", "link"), strict=False):
        col.markdown(f"**{t(f'profiles.facilities.col.{key}')}**")
    for r in fac.itertuples():
        cols = st.columns(widths, vertical_alignment="center")
        name = f"**{escape(r.name)}**"
        if r.pilot:
            name += " " + f":blue-badge[{t('profiles.facilities.pilot')}]"
        cols[0].markdown(name)
        place = " · ".join(
            x
            for x in (
                label("facility_type", r.type) if isinstance(r.type, str) else "",
                escape(r.city) if isinstance(r.city, str) else "",
            )
            if x
        )
        cols[1].markdown(place or t("common.none"))
        cols[2].markdown(f":orange-badge[{fmt.number(r.open)}]" if r.open else fmt.number(r.open))
        cols[3].markdown(f":red-badge[{fmt.number(r.overdue)}]" if r.overdue else fmt.number(r.overdue))
        cols[4].markdown(
            t("common.none") if fmt.missing(r.worst_open_severity) else theme.badge("severity", r.worst_open_severity)
        )
        with cols[5]:
            if not nav.link(
                "findings",
                label=tn("profiles.facilities.link", int(r.findings), n=fmt.number(r.findings)),
                icon=":material/fact_check:",
                query_params={"facility": r.facility_id},
                help=t("profiles.facilities.link_help", facility=r.name),
            ):
                st.caption(t("profiles.facilities.no_findings_page"))


# =========================================================================== comparison


def comparison() -> None:
    st.markdown(f"#### {tn('profiles.compare.title', len(scope))}")
    if len(scope) == 1:
        st.info(t("profiles.compare.one"), icon=":material/info:")
    comp = data_profiles.comparison(tuple(scope), q)
    status = data_profiles.data_status(tuple(scope), q).set_index("country")
    carried = [
        names.get(c, c) + f" ({status.loc[c, 'last_quarter']})"
        for c in scope
        if c in status.index and status.loc[c, "status"] == rules.CARRIED
    ]
    missing = [names.get(c, c) for c in scope if c in status.index and status.loc[c, "status"] == rules.NONE]
    if carried:
        st.warning(t("profiles.compare.carried", quarter=q, countries=", ".join(carried)), icon=":material/history:")
    if missing:
        st.warning(t("profiles.compare.missing", quarter=q, countries=", ".join(missing)), icon=":material/block:")
    st.caption(t("profiles.compare.caption"))

    def cell(r) -> str:
        text = figure_text(r["value"], r["approximate"])
        return t("profiles.tile.carried", label=text, quarter=r["quarter"]) if r["carried"] else text

    def per_cell(r) -> str:
        if fmt.missing(r["per_100"]):
            return t("fmt.missing")
        text = share_text(rules.PER_100, r["per_100"], r["per_100_approximate"])
        return (
            t("profiles.tile.carried", label=text, quarter=r["per_100_quarter"])
            if r["carried"] or (r["per_100_quarter"] != q)
            else text
        )

    cols = [names.get(c, c) for c in scope]
    codes = [c for c in rules.PROFILE_INDICATORS if c in set(comp["indicator"])]
    absolute = pd.DataFrame(t("fmt.missing"), index=[ind_label(c) for c in codes], columns=cols)
    per = pd.DataFrame(
        t("fmt.missing"), index=[t(f"profiles.per100.{c}") for c in rules.PER_100_INDICATORS], columns=cols
    )
    for _, r in comp.iterrows():
        absolute.loc[ind_label(r["indicator"]), names.get(r["country"], r["country"])] = cell(r)
        if r["indicator"] in rules.PER_100_INDICATORS:
            per.loc[t(f"profiles.per100.{r['indicator']}"), names.get(r["country"], r["country"])] = per_cell(r)
    absolute.index.name = t("profiles.col.indicator")
    per.index.name = t("profiles.col.measure")
    # side by side: absolute vs per 100 prisoners
    focus = comp[comp["indicator"].isin(["ve_prisoners", "ftf_detainees"])]
    if not focus.empty:
        frame = pd.DataFrame(
            {
                "country": [names.get(c, c) for c in focus["country"]],
                "measure": [ind_short(c) for c in focus["indicator"]],
                "value": focus["value"].astype(float),
                "per_100": focus["per_100"].astype(float),
                "shown": [figure_text(v, a) for v, a in zip(focus["value"], focus["approximate"], strict=False)],
                "shown_per_100": [
                    share_text(rules.PER_100, v, a)
                    for v, a in zip(focus["per_100"], focus["per_100_approximate"], strict=False)
                ],
            }
        )
        measures = [ind_short("ve_prisoners"), ind_short("ftf_detainees")]
        download = pd.DataFrame(
            {
                t("profiles.col.country"): frame["country"],
                t("profiles.col.indicator"): frame["measure"],
                t("profiles.col.value"): frame["value"],
                t("profiles.col.approximate"): focus["approximate"].astype(bool).to_numpy(),
                t("profiles.col.per_100"): frame["per_100"],
            }
        )
        subtitle = t("profiles.compare.chart_subtitle", quarter=q)
        if focus["approximate"].any():
            subtitle = t("profiles.compare.chart_subtitle_approx", quarter=q)
        c1, c2 = st.columns(2, gap="large")
        for col, field, shown, title, y_title, fmt_ in (
            (c1, "value", "shown", t("profiles.compare.abs_chart"), t("profiles.axis.people"), ",d"),
            (c2, "per_100", "shown_per_100", t("profiles.compare.per_chart"), t("profiles.axis.per_100"), ",.1f"),
        ):
            bars = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    x=alt.X("measure:N", title=None, sort=measures, axis=alt.Axis(labelAngle=0)),
                    xOffset=alt.XOffset("country:N", sort=cols),
                    y=alt.Y(f"{field}:Q", title=y_title, axis=alt.Axis(format=fmt_)),
                    color=alt.Color(
                        "country:N",
                        title=t("profiles.col.country"),
                        sort=cols,
                        scale=alt.Scale(domain=cols, range=list(theme.PALETTE[: len(cols)])),
                    ),
                    tooltip=[
                        alt.Tooltip("country:N", title=t("profiles.col.country")),
                        alt.Tooltip("measure:N", title=t("profiles.col.indicator")),
                        alt.Tooltip(f"{shown}:N", title=y_title),
                    ],
                )
            )
            with col:
                charts.show(
                    charts.titled(bars, title, subtitle),
                    download,
                    key=f"profiles_compare_{field}",
                    filename=f"comparison_{field}_{q}",
                    notes=notes,
                    height=CHART_HEIGHT,
                )

    st.markdown(f"##### {t('profiles.compare.absolute')}")
    st.dataframe(absolute, width="stretch", key="profiles_compare_absolute", height=36 + 35 * len(absolute))
    st.markdown(f"##### {t('profiles.compare.per_100')}")
    st.dataframe(per, width="stretch", key="profiles_compare_per_100", height=36 + 35 * len(per))

    # is it changing? shares per quarter
    quarters = tuple(x for x in f.quarters if x <= q)
    trend = data_profiles.share_series(tuple(scope), quarters)
    if not trend.empty:
        st.markdown(f"##### {t('profiles.compare.trend_title')}")
        c1, c2 = st.columns(2, gap="large")
        for col, code in ((c1, "ve_per_100"), (c2, "ftf_per_100")):
            rows = trend[trend["share"] == code]
            if rows.empty:
                continue
            frame = pd.DataFrame(
                {
                    "quarter": rows["quarter"],
                    "date": [quarter_end(x) for x in rows["quarter"]],
                    "country": [names.get(c, c) for c in rows["country"]],
                    "value": rows["value"].astype(float),
                    "shown": [
                        share_text(rules.PER_100, v, a)
                        for v, a in zip(rows["value"], rows["approximate"], strict=False)
                    ],
                }
            )
            lines = (
                alt.Chart(frame)
                .mark_line(point=True)
                .encode(
                    x=time_axis(quarters[0]),
                    y=alt.Y("value:Q", title=t("profiles.axis.per_100"), axis=alt.Axis(format=",.1f")),
                    color=alt.Color(
                        "country:N",
                        title=t("profiles.col.country"),
                        sort=cols,
                        scale=alt.Scale(domain=cols, range=list(theme.PALETTE[: len(cols)])),
                    ),
                    tooltip=[
                        alt.Tooltip("country:N", title=t("profiles.col.country")),
                        alt.Tooltip("quarter:O", title=t("profiles.col.quarter")),
                        alt.Tooltip("shown:N", title=t(f"profiles.share.{code}")),
                    ],
                )
            )
            download = pd.DataFrame(
                {
                    t("profiles.col.country"): frame["country"],
                    t("profiles.col.quarter"): frame["quarter"],
                    t(f"profiles.share.{code}"): frame["value"],
                    t("profiles.col.approximate"): rows["approximate"].astype(bool).to_numpy(),
                }
            )
            with col:
                charts.show(
                    charts.titled(lines, t(f"profiles.share.{code}"), t("profiles.compare.trend_subtitle")),
                    download,
                    key=f"profiles_trend_{code}",
                    filename=f"comparison_{code}_by-quarter_{q}",
                    notes=notes,
                    height=CHART_HEIGHT,
                )


if view == COMPARE:
    comparison()
else:
    profile(view)
