"""Every page for each role, through AppTest on the sample data, signed in
(sign-in configured, the account in the app's database): the pages a person
may see render without error and the others are not in the navigation; a
viewer limited to Kyrgyzstan sees nothing of another country on any page
or tab (the tables, charts, map layers and widgets checked, not only the
absence of errors), also when the address asks for another country, a
facility, a finding or a priority of Iraq, where the page says that is
outside their access; someone without an account, or not signed in, sees
no page and no data."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from components import nav
from components.i18n import t
from components.layout import escape
from data_access import db
from data_access.models import Facility, Finding, Priority
from data_access.rules.access import Actor, may
from tests.apptest_support import everything_shown, new_app, run, signed_out

PEOPLE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "viewer": ("viewer@example.org", "viewer", ()),
    "viewer limited to KGZ": ("viewer.kgz@example.org", "viewer", ("KGZ",)),
    "coordinator of TJK": ("coordinator.tjk@example.org", "coordinator", ("TJK",)),
    "manager": ("manager@example.org", "manager", ()),
    "admin": ("admin@example.org", "admin", ()),
}
KGZ_VIEWER = PEOPLE["viewer limited to KGZ"]
PAGES = [spec for spec in nav.PAGES if spec.path.is_file()]
READ_PAGES = [spec for spec in PAGES if spec.needs == "read"]
OTHERS = ("IRQ", "KAZ", "TJK")
# The tabs drawn only while open (session key, labels); other pages draw everything at once.
TABS = {
    "findings": ("findings_tab", tuple(f"findings.tab.{k}" for k in ("progress", "breakdown", "speed", "list"))),
    "priorities": ("priorities_tab", tuple(f"priorities.tab.{k}" for k in ("all", "detail", "programme"))),
}
VIEWS = {"countries": ("countries_view", ("KGZ", "compare"))}
GEOGRAPHY = {"fill", "fill_rgb", "iso_a3", "line", "line_px", "line_rgb", "name", "tier"}


@pytest.fixture
def eng(sample_url):
    return db.connect(sample_url)


@pytest.fixture
def elsewhere(eng):
    """What names another country than Kyrgyzstan: its code (also the start
    of every ID of its facilities, findings and priorities) and name, and
    the names and cities of its facilities that Kyrgyzstan has none of."""
    from data_access import queries

    countries = queries.countries(eng)
    words = set(OTHERS) | set(countries.loc[countries["code"].isin(OTHERS), "name"])
    mine = queries.facilities(eng, ["KGZ"])
    theirs = queries.facilities(eng, list(OTHERS))
    for column in ("name", "city"):
        words |= set(theirs[column].dropna()) - set(mine[column].dropna())
    return re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w])" for w in sorted(words, key=len, reverse=True)))


def _actor(who: str) -> Actor:
    email, role, countries = PEOPLE[who]
    return Actor(email, "", role, frozenset(countries))


def _open(sign_in, who: str, query: dict | None = None):
    email, role, countries = PEOPLE[who]
    return run(sign_in(new_app(query), email, role, countries))


def shown(at, only: set[str] | None = None) -> str:
    """Everything on screen as text, the map's borders of the neighbouring
    countries (geography drawn for everyone, not programme data) left out
    after checking they carry nothing but their outline and name; with
    ``only``, the other borders must be those countries'."""
    text = everything_shown(at)
    for deck in at.get("deck_gl_json_chart"):
        spec = json.loads(deck.proto.json)
        for layer in spec["layers"]:
            data = layer.get("data")
            if isinstance(data, dict) and "features" in data:
                neighbours = [f for f in data["features"] if f["properties"].get("tier") == "neighbour"]
                assert all(set(f["properties"]) <= GEOGRAPHY for f in neighbours)
                data["features"] = [f for f in data["features"] if f not in neighbours]
                assert only is None or {f["properties"].get("iso_a3") for f in data["features"]} <= only
        text = text.replace(str(deck.proto), json.dumps(spec))
    return text


def _views(at, key: str):
    """Run ``at`` once per tab or view of the page ``key`` (once when it has none)."""
    if key in TABS:
        state, labels = TABS[key]
        values = [t(label) for label in labels]
    elif key in VIEWS:
        state, values = VIEWS[key]
    else:
        yield "page"
        return
    for value in values:
        at.session_state[state] = value
        run(at)
        yield value


# --------------------------------------------------------------------------- which pages, by role


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(w, marks=[] if w in ("viewer limited to KGZ", "coordinator of TJK") else [pytest.mark.slow])
        for w in PEOPLE
    ],
)
def test_every_page_a_role_may_see_renders_and_no_other_is_listed(sign_in, who):
    at = _open(sign_in, who)
    person = _actor(who)
    assert at.markdown[0].value.startswith("### ")  # the default page, with data
    seen = []
    for spec in PAGES:
        if may(person, spec.needs):
            run(at.switch_page(str(spec.path)))
            assert nav.has(spec.key) and at.markdown, spec.key
            seen.append(spec.key)
        else:
            assert not nav.has(spec.key), spec.key
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(str(spec.path))
    assert {s.key for s in READ_PAGES} <= set(seen)  # every role reads every page of the programme
    assert ("upload" in seen) == (person.role != "viewer")


def test_someone_without_an_account_sees_no_page_and_no_data(sign_in):
    at = run(sign_in(new_app({"countries": "KGZ"}), "nobody@example.org"))
    assert at.warning[0].value == t("auth.no_access", email=escape("nobody@example.org"))
    assert [b.label for b in at.button] == [t("auth.request"), t("auth.sign_out")]
    assert not at.dataframe and not at.metric and not at.get("vega_lite_chart")
    assert not re.search(r"\b(IRQ|KAZ|KGZ|TJK|Iraq|Kazakhstan|Kyrgyzstan|Tajikistan)\b", everything_shown(at))


def test_nobody_signed_in_sees_the_sign_in_screen_only(sample_url):
    at = run(signed_out(new_app({"countries": "KGZ"})))
    assert [b.label for b in at.button] == [t("auth.sign_in")]
    assert not at.dataframe and not at.metric and not at.get("vega_lite_chart")
    assert not re.search(r"\b(IRQ|KAZ|KGZ|TJK|Iraq|Kazakhstan|Kyrgyzstan|Tajikistan)\b", everything_shown(at))


# --------------------------------------------------------------------------- a viewer limited to Kyrgyzstan


def test_a_limited_viewer_is_offered_their_countries_only(sign_in):
    at = _open(sign_in, "viewer limited to KGZ")
    countries = at.sidebar.multiselect[0]
    assert countries.options == ["Kyrgyzstan"] and countries.value == []
    assert countries.placeholder == t("scope.all_yours")
    assert at.query_params["countries"] == "KGZ"  # a link they copy shows the same to anyone
    assert at.caption[0].value.startswith("Kyrgyzstan")  # not "All countries"


@pytest.mark.parametrize("spec", READ_PAGES, ids=lambda s: s.key)
def test_a_limited_viewer_sees_nothing_of_another_country(sign_in, elsewhere, spec):
    at = _open(sign_in, "viewer limited to KGZ")
    run(at.switch_page(str(spec.path)))
    tables = 0
    for view in _views(at, spec.key):
        text = shown(at, {"KGZ"})
        found = elsewhere.search(text)
        assert not found, (spec.key, view, text[max(0, found.start() - 200) : found.end() + 100])
        assert "Kyrgyzstan" in text or "KGZ" in text, (spec.key, view)  # the check looks at real content
        for frame in at.dataframe:
            tables += 1
            assert not elsewhere.search(frame.value.to_csv()), (spec.key, view)
            for column in ("Country", "country"):
                if column in frame.value.columns:
                    assert set(frame.value[column].dropna()) <= {"Kyrgyzstan", "KGZ"}, (spec.key, view)
    assert tables, spec.key


def test_the_same_pages_show_other_countries_to_an_unlimited_viewer(sign_in, elsewhere):
    """The check above can fail: without the limit, the pages name the others."""
    at = _open(sign_in, "viewer")
    for spec in READ_PAGES:
        run(at.switch_page(str(spec.path)))
        assert elsewhere.search(shown(at)), spec.key


# --------------------------------------------------------------------------- links asking for more


def _ids(eng, country: str) -> dict[str, str]:
    with eng.connect() as conn:
        return {
            "finding": conn.execute(select(Finding.finding_id).where(Finding.country_code == country))
            .scalars()
            .first(),
            "facility": conn.execute(select(Facility.facility_id).where(Facility.country_code == country))
            .scalars()
            .first(),
            "priority": conn.execute(select(Priority.priority_id).where(Priority.country_code == country))
            .scalars()
            .first(),
        }


def _outside(at) -> list[str]:
    return [w.value for w in at.warning if w.value == t("auth.outside_access", countries="Iraq")]


def _unknown_notices(at) -> list[str]:
    return [x.value for x in at.toast] + [
        w.value for w in at.warning if "No finding has the ID" in w.value or "not among" in w.value
    ]


@pytest.mark.parametrize("spec", READ_PAGES, ids=lambda s: s.key)
def test_a_link_to_another_country_says_it_is_outside_their_access(sign_in, elsewhere, spec):
    at = _open(sign_in, "viewer limited to KGZ", {"countries": "IRQ"})
    assert _outside(at) and not _unknown_notices(at)
    assert at.sidebar.multiselect[0].value == []  # their own countries instead
    run(at.switch_page(str(spec.path)))
    assert not elsewhere.search(shown(at, {"KGZ"}).replace(t("auth.outside_access", countries="Iraq"), ""))


@pytest.mark.parametrize(
    ("page", "param", "kind"),
    [
        ("findings", "finding", "finding"),
        ("findings", "facility", "facility"),
        ("priorities", "priority", "priority"),
        ("countries", "country", None),
    ],
)
def test_a_link_to_an_item_of_another_country_says_it_is_outside_their_access(
    sign_in, eng, elsewhere, page, param, kind
):
    item = _ids(eng, "IRQ")[kind] if kind else "IRQ"
    at = _open(sign_in, "viewer limited to KGZ", {param: item})
    run(at.switch_page(f"pages/{page}.py"))
    assert _outside(at), (page, param)
    assert not _unknown_notices(at), (page, param)
    asked = shown(at, {"KGZ"}).replace(t("auth.outside_access", countries="Iraq"), "")
    assert not elsewhere.search(asked.replace(item, ""))  # what they typed, and nothing else
    # the same link for someone who sees Iraq opens the item
    email, role, countries = PEOPLE["viewer"]
    at = run(sign_in(new_app({param: item}), email, role, countries))
    run(at.switch_page(f"pages/{page}.py"))
    assert not _outside(at) and item in shown(at)


@pytest.mark.slow
def test_a_link_to_their_own_items_opens_them(sign_in, eng):
    own = _ids(eng, "KGZ")
    at = _open(sign_in, "viewer limited to KGZ", {"finding": own["finding"]})
    run(at.switch_page("pages/findings.py"))
    assert not _outside(at) and own["finding"] in shown(at)
    at = _open(sign_in, "viewer limited to KGZ", {"priority": own["priority"]})
    run(at.switch_page("pages/priorities.py"))
    assert not _outside(at) and at.selectbox(key="priorities_selected").value == own["priority"]
