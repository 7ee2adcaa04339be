"""Links mirrored in the address: what a page shows, written into the query
string so that a copied link opens the same view, and read back when a link
brings it.

Every parameter of the app is named here (they are part of the links people
keep: never rename them):

- ``countries``, ``quarter``: the global filters (:mod:`components.filters`);
- ``country``: the country (or ``compare``) the Country profiles page shows;
- ``facility``: the Audit findings page's facility filter (several,
  comma-separated), also what the Map and Country profiles pages link with;
- ``finding``: the finding whose timeline the Audit findings page shows;
- ``priority``: the priority the Priorities page shows.

A parameter holds one value or several separated by commas; a repeated
parameter (``?countries=IRQ&countries=KAZ``) counts as a list too. Values a
link brings are matched against what the page offers (:func:`match`: any
case, codes or names); the ones that match nothing are ignored, and where a
page says so, with a notice (:func:`say_ignored`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from .i18n import t
from .layout import escape

COUNTRIES = "countries"
QUARTER = "quarter"
COUNTRY = "country"
FACILITY = "facility"
FINDING = "finding"
PRIORITY = "priority"

_SEEN = "_link_{}"  # session key: the values of a parameter the page last read or wrote


# --------------------------------------------------------------------------- pure functions


def split(raw: str | Iterable[str] | None) -> list[str]:
    """The values of a parameter: one text or a list of them (a repeated
    parameter), each comma-separated; spaces trimmed, empty values dropped."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def match(
    values: Iterable[str], options: Iterable[str], names: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Which ``options`` the ``values`` name, in any case, by the option
    itself or by its name in ``names``: (the options named, in the order
    of the values, each once; the values that name none)."""
    options = list(options)
    by_text = {option.upper(): option for option in options}
    by_text.update({str(names[option]).upper(): option for option in options if names and option in names})
    known: list[str] = []
    ignored: list[str] = []
    for value in values:
        option = by_text.get(value.upper())
        if option is None:
            ignored.append(value)
        elif option not in known:
            known.append(option)
    return known, ignored


def text(values: str | Iterable[str] | None) -> str:
    """The values as the address writes them: comma-separated."""
    if values is None:
        return ""
    return values if isinstance(values, str) else ",".join(values)


# --------------------------------------------------------------------------- the address


def read(param: str) -> tuple[str, ...]:
    """The values of ``param`` in the address (see :func:`split`)."""
    return tuple(split(st.query_params.get_all(param)))


def write(param: str, values: str | Iterable[str] | None) -> None:
    """Make the address say ``param=<values>`` (comma-separated), or leave
    ``param`` out when there are no values. The address is touched only
    when it says something else."""
    wanted = text(values)
    present = st.query_params.get_all(param)
    if wanted:
        if present != [wanted]:
            st.query_params[param] = wanted
    elif param in st.query_params:
        del st.query_params[param]


def arrived(param: str, *, again: bool = False) -> tuple[str, ...] | None:
    """The values of ``param`` when the address brings new ones (a link from
    another page, or typed), else None. Values the page itself wrote with
    :func:`mirror`, or already read, are not news, unless ``again`` (the
    page lost what it had chosen, e.g. its widget after a visit to another
    page)."""
    values = read(param)
    seen = _SEEN.format(param)
    if not values or (values == st.session_state.get(seen) and not again):
        return None
    st.session_state[seen] = values
    return values


def mirror(param: str, values: str | Iterable[str] | None) -> None:
    """Write what the page shows into the address (:func:`write`) and
    remember it, so that :func:`arrived` does not take it for a link."""
    wanted = tuple(split(text(values)))
    write(param, wanted)
    st.session_state[_SEEN.format(param)] = wanted


def say_ignored(message_key: str, ignored: Iterable[str]) -> None:
    """A notice naming the values of a link that were ignored (none: no
    notice); they came from the address, so they are shown escaped."""
    ignored = list(ignored)
    if ignored:
        st.toast(t(message_key, values=", ".join(escape(v) for v in ignored)), icon=":material/link_off:")
