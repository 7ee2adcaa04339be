"""How the Map page shows its facilities beside the map: the facility
picker's options, the chosen facility's panel and the table of every
facility. The map itself (layers, legend, the static version) is
:mod:`components.map_layers`; the figures come from
:mod:`components.data_map`; the page lays them out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from data_access.rules import maps as rules
from data_access.rules.text import plain, plain_frame

from . import formatting as fmt
from . import map_layers, theme
from .i18n import label, t
from .layout import escape


def place(city: Any, country: str, names: Mapping[str, str]) -> str:
    """ "City, Country" (the country alone when the city is unknown)."""
    return ", ".join(p for p in (city, names.get(country, country)) if isinstance(p, str) and p)


def options(facilities: pd.DataFrame, names: Mapping[str, str]) -> dict[str, str]:
    """Each facility as the picker lists it: "Name (City)", or the country
    when the city is unknown."""
    return {
        fid: f"{plain(name)} ({plain(city) if isinstance(city, str) and city else names.get(country, country)})"
        for fid, name, city, country in zip(
            facilities["facility_id"], facilities["name"], facilities["city"], facilities["country"], strict=False
        )
    }


def facility_lines(r: pd.Series, names: Mapping[str, str], quarter: str) -> list[str]:
    """The chosen facility: name, kind and place, its findings as at the
    quarter, the worst open severity and the last audit (Markdown lines)."""
    lines = [
        t("map.facility.heading", name=escape(r["name"])),
        (theme.badge("facility", "pilot", t("map.facility.pilot_badge")) + " " if r["pilot"] else "")
        + t(
            "map.facility.kind",
            type=map_layers.facility_type(r["type"]),
            place=escape(place(r["city"], r["country"], names)),
        ),
    ]
    if r["findings"]:
        lines.append(
            t(
                "map.facility.counts",
                findings=fmt.number(r["findings"]),
                open=fmt.number(r["open"]),
                overdue=fmt.number(r["overdue"]),
            )
        )
        lines.append(
            t(
                "map.facility.remediated",
                share=fmt.percent(r["remediated_share"]),
                n=fmt.number(r["remediated"]),
                total=fmt.number(r["findings"]),
            )
        )
        if r["worst_open_severity"] and not pd.isna(r["worst_open_severity"]):
            lines.append(t("map.facility.worst", badge=theme.badge("severity", r["worst_open_severity"])))
    else:
        lines.append(t("map.facility.no_findings", quarter=quarter))
    lines.append(
        t("map.facility.audit", date=t("map.tip.never") if fmt.missing(r["last_audit"]) else fmt.date(r["last_audit"]))
    )
    return lines


def findings_grid(counts: pd.DataFrame) -> pd.DataFrame:
    """A facility's findings by severity (rows) and status (columns)."""
    grid = counts.pivot_table(index="severity", columns="status", values="findings", aggfunc="sum", fill_value=0)
    severities = [s for s in theme.ORDER["severity"] if s in grid.index]
    statuses = [s for s in theme.ORDER["finding_status"] if s in grid.columns]
    grid = grid.loc[severities, statuses]
    grid.columns = [label("finding_status", s) for s in statuses]
    grid.index = [label("severity", s) for s in severities]
    grid.index.name = t("map.col.severity")
    return grid


def open_finding_line(o: Any) -> str:
    """An open finding of the facility: severity, id, title and due date
    (or how overdue it is)."""
    if o.due_date is None or pd.isna(o.due_date):
        key = "map.facility.open_line_no_due"
    elif o.overdue:
        key = "map.facility.open_line_overdue"
    else:
        key = "map.facility.open_line"
    return t(
        key,
        severity=theme.badge("severity", o.severity),
        id=escape(o.finding_id),
        title=escape(o.title),
        due=fmt.date(o.due_date),
    )


def facilities_table(shown: pd.DataFrame, names: Mapping[str, str], unplaced: pd.DataFrame) -> pd.DataFrame:
    """Every facility shown, with the state of its findings (and whether it is
    on the map, when some are not)."""
    table = pd.DataFrame(
        {
            t("map.col.facility"): shown["name"],
            t("map.col.place"): [
                place(city, c, names) for city, c in zip(shown["city"], shown["country"], strict=False)
            ],
            t("map.col.type"): [map_layers.facility_type(v) for v in shown["type"]],
            t("map.col.pilot"): shown["pilot"].astype(bool),
            t("map.col.open"): shown["open"],
            t("map.col.overdue"): shown["overdue"],
            t("map.col.remediated"): shown["remediated_share"] * 100,
            t("map.col.worst"): [
                map_layers.class_label(rules.severity_class(s, n))
                for s, n in zip(shown["worst_open_severity"], shown["findings"], strict=False)
            ],
            t("map.col.last_audit"): pd.to_datetime(shown["last_audit"]),
        }
    )
    if not unplaced.empty:
        off_map = set(unplaced["facility_id"])
        table[t("map.col.on_map")] = [t("map.no") if i in off_map else t("map.yes") for i in shown["facility_id"]]
    return plain_frame(table)


def facilities_columns() -> dict[str, Any]:
    """How the columns of :func:`facilities_table` are drawn, with their help."""
    return {
        t("map.col.facility"): st.column_config.TextColumn(width=200),
        t("map.col.place"): st.column_config.TextColumn(width=135),
        t("map.col.type"): st.column_config.TextColumn(width=95),
        t("map.col.pilot"): st.column_config.CheckboxColumn(width=50, help=t("map.col.pilot_help")),
        t("map.col.open"): st.column_config.NumberColumn(width=50, help=t("map.col.open_help")),
        t("map.col.overdue"): st.column_config.NumberColumn(width=65, help=t("map.col.overdue_help")),
        t("map.col.remediated"): st.column_config.ProgressColumn(
            min_value=0, max_value=100, format="%.0f%%", width=90, help=t("map.col.remediated_help")
        ),
        t("map.col.worst"): st.column_config.TextColumn(width=100, help=t("map.col.worst_help")),
        t("map.col.last_audit"): st.column_config.DateColumn(format="D MMM YYYY", width=90),
    }
