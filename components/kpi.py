"""KPI tiles: a figure, its change against the previous quarter, coloured by
whether the change is good news (green), bad news (red) or neither (grey)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from data_access.rules import status as rules

from . import formatting as fmt
from . import theme
from .i18n import t

COUNT, SHARE = "count", "share"
_DELTA_COLOUR = {rules.GOOD_UP: "normal", rules.GOOD_DOWN: "inverse", rules.NEUTRAL: "off"}


@dataclass(frozen=True)
class Tile:
    label: str
    value: Any
    previous: Any = None
    kind: str = COUNT  # count | share
    approximate: bool = False
    polarity: str = rules.NEUTRAL  # good_up | good_down | neutral
    help: str | None = None
    key: str | None = None
    decimals: int = 0  # decimals of the value and its change (e.g. 1 for "15.9 per 100 prisoners")

    @property
    def value_text(self) -> str:
        if self.kind == SHARE:
            return fmt.percent(self.value, decimals=self.decimals)
        return fmt.number(self.value, approx=self.approximate, decimals=self.decimals)

    @property
    def display_value(self) -> str:
        """The value as drawn in the tile: the "approx." mark in small type so
        that it fits a projector-sized tile."""
        if self.approximate and not fmt.missing(self.value):
            inner = (
                fmt.percent(self.value, decimals=self.decimals)
                if self.kind == SHARE
                else fmt.number(self.value, decimals=self.decimals)
            )
            return t("kpi.approx", value=inner)
        return self.value_text

    @property
    def change(self) -> rules.Change:
        return rules.change(_num(self.value), _num(self.previous))

    @property
    def delta(self) -> str | int | None:
        """What st.metric shows as the delta: a signed text, 0 for no change
        (grey, no arrow), None when there is nothing to compare with."""
        c = self.change
        if c.delta is None:
            return None
        if c.direction == rules.FLAT:
            return 0
        if self.decimals and round(c.delta * 100 if self.kind == SHARE else c.delta, self.decimals) == 0:
            return 0  # a change too small to show at this precision
        return fmt.points(c.delta) if self.kind == SHARE else fmt.signed(c.delta, decimals=self.decimals)


def _num(v: Any) -> float | None:
    return None if fmt.missing(v) else float(v)


def tile(spec: Tile, compared_with: str | None, *, container=None) -> None:
    """One tile. ``compared_with`` names the previous quarter; the change is
    shown only when there is one (the page header says what it compares)."""
    target = container or st
    delta = spec.delta if compared_with else None
    target.metric(
        spec.label,
        spec.display_value,
        delta=delta,
        delta_color=_DELTA_COLOUR.get(spec.polarity, "off"),
        help=spec.help,
        border=True,
        height="stretch",
    )


def tile_row(
    specs: Sequence[Tile], compared_with: str | None, *, per_row: int = 6, dense_key: str | None = None
) -> None:
    """Tiles in rows of ``per_row`` equal columns. With ``dense_key``, drawn in
    a container of that key with smaller labels (:func:`theme.dense_tiles_css`),
    for a row of seven."""
    if dense_key:
        st.html(theme.dense_tiles_css(dense_key))
        with st.container(key=dense_key):
            tile_row(specs, compared_with, per_row=per_row)
        return
    for start in range(0, len(specs), per_row):
        cols = st.columns(per_row, gap="small")
        for col, spec in zip(cols, specs[start : start + per_row], strict=False):
            with col:
                tile(spec, compared_with)
