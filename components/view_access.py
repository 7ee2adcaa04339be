"""How the Access page reads: the accounts table, the roles a person may
give, the accounts they may change, and the labels of options.

Names and e-mails come from people (an identity provider, a form): they are
shown in ``st.dataframe`` (plain text) or, in Markdown, through
:func:`components.layout.escape`."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from data_access.rules.access import ROLES, SCOPED_ROLES, Actor, may
from data_access.rules.text import plain, plain_frame

from . import formatting as fmt
from .i18n import t
from .layout import escape


def utc_time(value: Any) -> str:
    """A stored moment to the minute, in UTC (PostgreSQL gives it in the
    session's time zone, SQLite as it was written: UTC)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return fmt.datetime(None)
    moment = pd.Timestamp(value)
    if moment.tzinfo is not None:
        moment = moment.tz_convert("UTC").tz_localize(None)
    return fmt.datetime(moment)


def role_label(role: str | None) -> str:
    return t(f"auth.role.{role}")


def grantable_roles(person: Actor) -> list[str]:
    """The roles ``person`` may give, change or remove: managers viewers and
    coordinators, administrators every role."""
    return [r for r in ROLES if may(person, "manage_users", target_role=r)]


def country_codes(text: str) -> list[str]:
    """The codes of an account's ``countries`` column ("KGZ, TJK")."""
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def countries_text(role: str, codes: Iterable[str], names: Mapping[str, str]) -> str:
    """What an account may see: its countries by name, "All countries", or,
    for managers and administrators (whose countries are ignored), "All countries"."""
    codes = list(codes)
    if role not in SCOPED_ROLES or not codes:
        return t("admin.access.all_countries")
    return ", ".join(names.get(c, c) for c in codes)


def accounts_table(users: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Every account: e-mail, name, role, countries, created (when, by whom)."""
    return plain_frame(
        pd.DataFrame(
            {
                t("admin.access.col.email"): users["email"],
                t("admin.access.col.name"): users["name"],
                t("admin.access.col.role"): [role_label(r) for r in users["role"]],
                t("admin.access.col.countries"): [
                    countries_text(role, country_codes(codes), names)
                    for role, codes in zip(users["role"], users["countries"], strict=True)
                ],
                t("admin.access.col.created"): [utc_time(v) for v in users["created_at"]],
                t("admin.access.col.created_by"): users["created_by"],
            }
        )
    )


def manageable(person: Actor, users: pd.DataFrame) -> dict[str, Any]:
    """The accounts ``person`` may change or remove, by e-mail (their rows)."""
    allowed = set(grantable_roles(person))
    return {str(r.email): r for r in users.itertuples() if r.role in allowed}


def account_option(row: Any) -> str:
    """An account in a select box: ``ana@example.org · Ana (coordinator)``."""
    who = f"{plain(row.email)} · {plain(row.name)}" if row.name else plain(row.email)  # a select box: plain text
    return t("admin.access.account_option", who=who, role=role_label(row.role))


def edit_key(kind: str, row: Any) -> str:
    """A widget key for editing one account as it stands: another role or
    other countries (changed here or elsewhere) give new widgets, which
    start from the stored values."""
    state = f"{row.email}|{row.role}|{row.countries}"
    return f"access_edit_{kind}_{zlib.crc32(state.encode()):08x}"


def country_option(code: str, names: Mapping[str, str]) -> str:
    return t("admin.access.country_option", name=names.get(code, code), code=code)


def request_title(row: Any) -> str:
    """One access request, for Markdown: who (escaped) and when."""
    who = escape(row.email) if not row.name else f"{escape(row.name)} · {escape(row.email)}"
    return t("admin.access.request_title", who=who, when=utc_time(row.requested_at))
