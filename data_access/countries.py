"""Queries behind the Country profiles page: each country's figures as at a
quarter next to its baseline (the 2019-2023 achievements report), the
shares derived from them, the comparison across countries, shares over
time, the state of each country's reporting, and activities by quarter
with running totals.

Selecting, grouping and summing happen in SQL; the rules that turn figures
into shares (and say when a share is approximate) are
:mod:`data_access.rules.countries`. Every function returns a pandas
DataFrame. Arguments as in :mod:`data_access.sql`: ``countries`` is a
list of ISO codes (None or empty: all), ``quarter`` a ``YYYY-Qn`` string or
a :class:`Quarter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from . import sql
from .models import Activity, Country, IndicatorValue, Upload
from .queries import latest_indicators
from .rules import countries as rules
from .rules.quarters import Quarter

# --------------------------------------------------------------------------- figures and baseline


def baselines(engine: Engine, countries: sql.Countries = None, up_to: sql.QuarterLike | None = None) -> pd.DataFrame:
    """For each country and indicator, the first figure stored (at or before
    ``up_to``): for the programme's countries, the achievements report's
    figure for 2023-Q4. With its approximate flag, note, quarter and source."""
    stmt = sql.indicator_values(countries, sql.as_quarter(up_to), which="first")
    df = sql.frame(engine, stmt)
    df["approximate"] = df["approximate"].astype(bool)
    return df[["country", "indicator", "value", "approximate", "note", "quarter", *sql.SOURCE_NAMES]].copy()


def key_figures(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """One row per country and indicator reported by the end of the quarter:
    the figure as at the quarter (value, approximate, note, the quarter it
    was reported for, its source, ``carried`` when that is an earlier
    quarter), the baseline figure (``baseline_*``) with its source, the
    change since the baseline, and the figure as at the previous quarter
    (``previous_*``)."""
    q = sql.as_quarter(quarter)
    now = latest_indicators(engine, countries, as_at=q)
    now["approximate"] = now["approximate"].astype(bool)
    now["carried"] = [rules.is_carried_forward(x, str(q)) for x in now["quarter"]]
    base = baselines(engine, countries, up_to=q).rename(
        columns={c: f"baseline_{c}" for c in ("value", "approximate", "note", "quarter", *sql.SOURCE_NAMES)}
    )
    prev = latest_indicators(engine, countries, as_at=q.previous())[
        ["country", "indicator", "value", "approximate", "quarter"]
    ].rename(columns={"value": "previous_value", "approximate": "previous_approximate", "quarter": "previous_quarter"})
    df = now.merge(base, on=["country", "indicator"], how="left").merge(prev, on=["country", "indicator"], how="left")
    df["previous_approximate"] = df["previous_approximate"].fillna(False).astype(bool)
    df["change_since_baseline"] = [
        None if bq == vq else rules.change_since(v, b)
        for v, b, vq, bq in zip(df["value"], df["baseline_value"], df["quarter"], df["baseline_quarter"], strict=False)
    ]
    df["baseline_from_report"] = [rules.is_report(k) for k in df["baseline_source_kind"]]
    df["from_report"] = [rules.is_report(k) for k in df["source_kind"]]
    return df


def _figure(row: dict[str, Any]) -> rules.Figure:
    """The figure of a row of stored indicator values."""
    return rules.Figure(float(row["value"]), bool(row["approximate"]), row["quarter"])


def _figures(df: pd.DataFrame) -> dict[str, dict[str, rules.Figure]]:
    """country -> indicator -> Figure, from rows of :func:`latest_indicators`."""
    out: dict[str, dict[str, rules.Figure]] = {}
    for r in sql.records(df):
        out.setdefault(r["country"], {})[r["indicator"]] = _figure(r)
    return out


def _figure_columns(prefix: str, f: rules.Figure | None) -> dict:
    return {
        f"{prefix}_value": None if f is None else f.value,
        f"{prefix}_approximate": False if f is None else f.approximate,
        f"{prefix}_quarter": None if f is None else f.quarter,
    }


def derived_shares(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    shares: Sequence[rules.ShareDef] = rules.SHARES,
) -> pd.DataFrame:
    """Per country reporting any figure by the quarter and per share: the
    share computed from the figures as at the quarter (see
    :func:`data_access.rules.countries.derive`), with its inputs."""
    q = sql.as_quarter(quarter)
    figures = _figures(latest_indicators(engine, countries, as_at=q))
    rows = []
    for country, figs in figures.items():
        for d in rules.derive_all(figs, shares):
            s = rules.SHARE_BY_CODE.get(d.code)
            rows.append(
                {
                    "country": country,
                    "share": d.code,
                    "unit": s.unit if s else rules.PER_100,
                    "value": d.value,
                    "approximate": d.approximate,
                    "approximate_inputs": ",".join(d.approximate_inputs),
                    "missing_inputs": ",".join(d.missing_inputs),
                    "quarter": d.quarter,
                    "mixed_quarters": d.mixed_quarters,
                    "carried": rules.is_carried_forward(d.quarter, str(q)),
                    "numerator": s.numerator if s else None,
                    "denominator": s.denominator if s else None,
                    **_figure_columns("numerator", d.numerator),
                    **_figure_columns("denominator", d.denominator),
                }
            )
    columns = [
        "country",
        "share",
        "unit",
        "value",
        "approximate",
        "approximate_inputs",
        "missing_inputs",
        "quarter",
        "mixed_quarters",
        "carried",
        "numerator",
        "denominator",
    ]
    return pd.DataFrame(rows, columns=columns + [c for c in (rows[0] if rows else {}) if c not in columns])


def comparison(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    indicators: Sequence[str] = rules.PROFILE_INDICATORS,
) -> pd.DataFrame:
    """Countries side by side: per country and indicator reported by the
    quarter, the figure as at the quarter and, for figures that count people
    in prison, the figure per 100 prisoners (approximate when either input
    is). ``carried`` marks figures reported for an earlier quarter."""
    q = sql.as_quarter(quarter)
    latest = latest_indicators(engine, countries, as_at=q)
    latest = latest[latest["indicator"].isin(list(indicators))]
    figures = _figures(latest)
    rows = []
    for r in sql.records(latest):
        d = rules.per_100_figure(r["indicator"], figures[r["country"]])
        f = _figure(r)
        rows.append(
            {
                "country": r["country"],
                "indicator": r["indicator"],
                "label": r["label"],
                "value": f.value,
                "approximate": f.approximate,
                "quarter": f.quarter,
                "carried": rules.is_carried_forward(f.quarter, str(q)),
                "per_100": None if d is None else d.value,
                "per_100_approximate": False if d is None else d.approximate,
                "per_100_quarter": None if d is None else d.quarter,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "country",
            "indicator",
            "label",
            "value",
            "approximate",
            "quarter",
            "carried",
            "per_100",
            "per_100_approximate",
            "per_100_quarter",
        ],
    )


def share_series(
    engine: Engine,
    quarters: Sequence[str],
    countries: sql.Countries = None,
    shares: Sequence[rules.ShareDef] = rules.SHARES,
) -> pd.DataFrame:
    """Each share as at the end of every quarter given (the figures then
    known, carried forward), per country; quarters before a country's first
    figures are left out."""
    if not quarters:
        return pd.DataFrame(columns=["country", "quarter", "share", "value", "approximate", "mixed_quarters"])
    codes = sorted({c for s in shares for c in (s.numerator, s.denominator)})
    last = max(sql.as_quarter(x) for x in quarters)
    iv = IndicatorValue
    stmt = (
        select(
            iv.country_code.label("country"), iv.indicator_code.label("indicator"), iv.quarter, iv.value, iv.approximate
        )
        .where(sql.in_countries(iv.country_code, countries), iv.indicator_code.in_(codes), iv.quarter_idx <= last.index)
        .order_by(iv.country_code, iv.indicator_code, iv.quarter_idx)
    )
    history = sql.frame(engine, stmt)
    points: dict[str, dict[str, dict[str, rules.Figure]]] = {}
    for r in sql.records(history):
        points.setdefault(r["country"], {}).setdefault(r["indicator"], {})[r["quarter"]] = _figure(r)
    rows = []
    for country, by_code in points.items():
        as_at = {code: rules.carry_forward(p, quarters) for code, p in by_code.items()}
        for quarter in quarters:
            figs = {code: f for code, series in as_at.items() if (f := series.get(quarter)) is not None}
            if not figs:
                continue
            for d in rules.derive_all(figs, shares):
                if d.value is not None:
                    rows.append(
                        {
                            "country": country,
                            "quarter": quarter,
                            "share": d.code,
                            "value": d.value,
                            "approximate": d.approximate,
                            "mixed_quarters": d.mixed_quarters,
                        }
                    )
    return pd.DataFrame(rows, columns=["country", "quarter", "share", "value", "approximate", "mixed_quarters"])


# --------------------------------------------------------------------------- reporting state


def data_status(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """Per country (every country in scope, reporting or not): the last
    quarter, at or before the selected one, with indicator figures; its
    status (``current``, ``carried`` or ``none``, see
    :func:`data_access.rules.countries.data_status`); and the latest current
    upload at or before the quarter (kind, by whom, when, file, quarter)."""
    q = sql.as_quarter(quarter)
    iv = IndicatorValue
    last_fig = (
        select(iv.country_code.label("c"), func.max(iv.quarter_idx).label("last_idx"))
        .where(iv.quarter_idx <= q.index)
        .group_by(iv.country_code)
        .subquery("last_fig")
    )
    rank = func.row_number().over(
        partition_by=Upload.country_code,
        order_by=(Upload.quarter_idx.desc(), Upload.uploaded_at.desc(), Upload.id.desc()),
    )
    ups = (
        select(
            Upload.country_code.label("c"),
            *sql.columns(Upload, "kind uploaded_by uploaded_at file_name quarter"),
            rank.label("rn"),
        )
        .where(Upload.status == "current", Upload.quarter_idx <= q.index)
        .subquery("ups")
    )
    stmt = (
        select(
            Country.code.label("country"),
            Country.name,
            last_fig.c.last_idx,
            ups.c.kind.label("upload_kind"),
            ups.c.uploaded_by.label("upload_by"),
            ups.c.uploaded_at.label("upload_at"),
            ups.c.file_name.label("upload_file"),
            ups.c.quarter.label("upload_quarter"),
        )
        .outerjoin(last_fig, last_fig.c.c == Country.code)
        .outerjoin(ups, and_(ups.c.c == Country.code, ups.c.rn == 1))
        .where(sql.in_countries(Country.code, countries))
        .order_by(Country.name)
    )
    df = sql.frame(engine, stmt)
    df.insert(2, "last_quarter", [None if pd.isna(i) else str(Quarter.from_index(int(i))) for i in df.pop("last_idx")])
    df.insert(3, "status", [rules.data_status(lq, str(q)) for lq in df["last_quarter"]])
    return df


# --------------------------------------------------------------------------- activities


def activity_by_quarter(
    engine: Engine, countries: sql.Countries = None, up_to: sql.QuarterLike | None = None
) -> pd.DataFrame:
    """Activities reported per country, quarter and type, up to a quarter:
    how many, participants, women among them and ``share_base`` (the
    participants of the activities that report both figures, the base of the
    share of women). ``from_report`` marks the achievements report's
    activities (2019-2023, filed under the baseline quarter)."""
    from_report = Upload.kind == rules.REPORT_SOURCE_KIND
    cond = [sql.in_countries(Activity.country_code, countries)]
    if up_to is not None:
        cond.append(Activity.quarter_idx <= sql.as_quarter(up_to).index)
    stmt = (
        select(
            Activity.country_code.label("country"),
            Activity.quarter,
            Activity.quarter_idx,
            Activity.type,
            func.max(case((from_report, 1), else_=0)).label("from_report"),
            *sql.labelled(sql.activity_sums()),
        )
        .join(Upload, Upload.id == Activity.upload_id)
        .where(*cond)
        .group_by(Activity.country_code, Activity.quarter, Activity.quarter_idx, Activity.type)
        .order_by(Activity.country_code, Activity.quarter_idx, Activity.type)
    )
    df = sql.frame(engine, stmt)
    for c in ("quarter_idx", "activities", "participants", "female_participants", "share_base"):
        df[c] = df[c].astype(int)
    df["from_report"] = df["from_report"].astype(bool)
    df["female_share"] = _female_share(df["female_participants"], df["share_base"])
    return df


def _female_share(women: pd.Series, base: pd.Series) -> list[float | None]:
    return [rules.female_share(f, b) for f, b in zip(women, base, strict=False)]


def activity_running_totals(
    engine: Engine, countries: sql.Countries = None, up_to: sql.QuarterLike | None = None
) -> pd.DataFrame:
    """Per country and reporting quarter: activities, participants and women
    in the quarter, and the running totals since the programme began
    (``cumulative_*``, summed in SQL with a window), with the share of women
    over the activities that report both figures."""
    cond = [sql.in_countries(Activity.country_code, countries)]
    if up_to is not None:
        cond.append(Activity.quarter_idx <= sql.as_quarter(up_to).index)
    sums = sql.activity_sums()
    running = {
        f"cumulative_{k}": func.sum(e).over(partition_by=Activity.country_code, order_by=Activity.quarter_idx)
        for k, e in sums.items()
    }
    stmt = (
        select(
            Activity.country_code.label("country"),
            Activity.quarter,
            Activity.quarter_idx,
            *sql.labelled(sums),
            *sql.labelled(running),
        )
        .where(*cond)
        .group_by(Activity.country_code, Activity.quarter, Activity.quarter_idx)
        .order_by(Activity.country_code, Activity.quarter_idx)
    )
    df = sql.frame(engine, stmt)
    for c in df.columns:
        if c not in ("country", "quarter"):
            df[c] = df[c].astype(int)
    df["female_share"] = _female_share(df["female_participants"], df["share_base"])
    df["cumulative_female_share"] = _female_share(df["cumulative_female_participants"], df["cumulative_share_base"])
    return df
