"""The Access page (pages/access.py), driven with AppTest on a copy of the
sample database, signed in as each role: who sees it, what each may give,
bad input refused with its message and nothing written, the last
administrator kept, access requests granted or dismissed, and exactly one
audit entry per change with the right fields."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from components import auth
from components.layout import escape
from data_access import access, db
from tests.apptest_support import ROOT, markdown_text, new_app, read, run
from tests.people import ADMIN, COORDINATOR, MANAGER, VIEWER, actions, fresh_trail, signed_in, staff, trail

PAGE = "pages/access.py"
AUDIT_PAGE = "pages/audit_trail.py"
ADDRESS = "10.1.2.3"


@pytest.fixture(autouse=True)
def browser_address(monkeypatch):
    """Where the person's browser is (AppTest's stand-in runtime has no client address)."""
    monkeypatch.setattr(auth, "client_address", lambda: ADDRESS)


@pytest.fixture
def eng(sample_url):
    engine = db.connect(sample_url)
    fresh_trail(engine)
    staff(engine)
    return engine


def open_as(email: str | None, page: str = PAGE, name: str | None = None):
    """The page as ``email`` (None: local mode, no sign-in configured), after a first run of the app."""
    at = new_app()
    if email is not None:
        signed_in(at, email, name)
    run(at)
    return run(at.switch_page(page))


def texts(elements) -> str:
    return "\n".join(read(str(e.value)) for e in elements)


def users(engine) -> dict[str, tuple[str, str]]:
    frame = access.list_users(engine, access.BOOTSTRAP)
    return {r.email: (r.role, r.countries) for r in frame.itertuples()}


def edit_widget(at, kind: str):
    """The widget of the change form whose key is made from the account's state."""
    widgets = {"role": at.selectbox, "countries": at.multiselect, "confirm": at.checkbox}[kind]
    [found] = [w for w in widgets if (w.key or "").startswith(f"access_edit_{kind}_")]
    return found


def button(at, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def add(at, email: str, role: str, countries=(), name: str = ""):
    at.text_input(key="access_add_email").input(email)
    at.text_input(key="access_add_name").input(name)
    at.selectbox(key="access_add_role").set_value(role)
    at.multiselect(key="access_add_countries").set_value(list(countries))
    return run(button(at, "Add account").click())


def last_event(engine) -> dict:
    event = trail(engine).iloc[0].to_dict()
    event["detail"] = json.loads(event["detail"])
    return event


# --------------------------------------------------------------------------- who sees the page


def test_an_administrator_sees_every_account_and_may_give_every_role(eng):
    at = open_as(ADMIN)
    assert "### Access" in markdown_text(at)
    [table] = at.dataframe
    assert list(table.value["E-mail"]) == [ADMIN, MANAGER, COORDINATOR, VIEWER]
    shown = table.value.set_index("E-mail")
    assert shown.loc[COORDINATOR, "Countries"] == "Tajikistan" and shown.loc[MANAGER, "Countries"] == "All countries"
    assert shown.loc[ADMIN, "Role"] == "administrator" and shown.loc[ADMIN, "Created by"] == "DASHBOARD_ADMINS"
    assert at.selectbox(key="access_add_role").options == ["viewer", "coordinator", "manager", "administrator"]
    assert at.selectbox(key="access_edit_email").options == [
        f"{ADMIN} · Boss (administrator)", f"{MANAGER} · Manager (manager)",
        f"{COORDINATOR} · Coordinator (coordinator)", f"{VIEWER} · Viewer (viewer)",
    ]  # fmt: skip
    run(at.switch_page(AUDIT_PAGE))  # listed for an administrator
    assert "### Audit trail" in markdown_text(at)


def test_a_manager_manages_viewers_and_coordinators_only_and_has_no_audit_trail(eng):
    at = open_as(MANAGER)
    assert "### Access" in markdown_text(at)
    assert at.selectbox(key="access_add_role").options == ["viewer", "coordinator"]
    assert [o.split(" ")[0] for o in at.selectbox(key="access_edit_email").options] == [COORDINATOR, VIEWER]
    assert "changed by an administrator" in texts(at.caption)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(AUDIT_PAGE)  # not listed for a manager


@pytest.mark.parametrize("email", [COORDINATOR, VIEWER])
def test_coordinators_and_viewers_see_neither_admin_page(eng, email):
    at = run(signed_in(new_app(), email))
    for page in (PAGE, AUDIT_PAGE):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("email", [COORDINATOR, VIEWER])
@pytest.mark.parametrize("page", [PAGE, AUDIT_PAGE])
def test_opening_an_admin_page_directly_shows_nothing_of_it(eng, email, page):
    """A link to /access or /audit_trail opened as the very first request: the shell takes over, and the
    page is not among this person's pages, so the overview shows instead."""
    at = run(signed_in(new_app(), email).switch_page(page))
    shown = markdown_text(at)
    assert "### Overview" in shown and "### Access" not in shown and "### Audit trail" not in shown
    everything = shown + texts(at.caption) + texts(at.error) + texts(at.info)
    assert ADMIN not in everything and MANAGER not in everything
    assert not [d for d in at.dataframe if "E-mail" in d.value.columns or "When (UTC)" in d.value.columns]


@pytest.mark.parametrize(("page", "email"), [(PAGE, COORDINATOR), (PAGE, VIEWER), (AUDIT_PAGE, MANAGER)])
def test_a_page_run_on_its_own_shows_only_why_not(eng, page, email):
    """Should the page run outside the shell (as the entry script) for someone it is not listed for, it
    shows only why not."""
    at = run(signed_in(AppTest.from_file(str(ROOT / page), default_timeout=120), email))
    role = access.actor_for(eng, email).role
    assert [read(e.value) for e in at.error] == [
        f"Your role ({role}) does not allow managing accounts: managers and administrators may."
        if page == PAGE
        else f"Your role ({role}) does not allow reading the audit trail: administrators may."
    ]
    assert not at.dataframe and not at.text_input and not at.get("download_button")
    assert "### Access" not in markdown_text(at) and "### Audit trail" not in markdown_text(at)


def test_local_mode_acts_as_administrator(eng):
    at = open_as(None)
    assert at.selectbox(key="access_add_role").options[-1] == "administrator"
    add(at, "local@example.org", "manager")
    assert users(eng)["local@example.org"] == ("manager", "")
    event = last_event(eng)
    assert (event["action"], event["via"], event["actor_email"]) == ("user.add", "local", auth.local_actor().email)
    run(at.switch_page(AUDIT_PAGE))
    assert "### Audit trail" in markdown_text(at)


# --------------------------------------------------------------------------- adding


@pytest.mark.parametrize(
    ("email", "role", "countries", "message"),
    [
        ("ana", "viewer", [], '"ana" is not an e-mail address.'),
        ("ana@example", "viewer", [], '"ana@example" is not an e-mail address.'),
        ("ana@example.org", "coordinator", [], "A coordinator needs at least one country."),
        (VIEWER, "viewer", [], f"{VIEWER} already has an account: change its role instead."),
    ],
)
def test_bad_input_shows_its_message_keeps_the_form_and_writes_nothing(eng, email, role, countries, message):
    at = open_as(ADMIN)
    before, events = users(eng), len(trail(eng))
    at = add(at, email, role, countries, name="Ana")
    assert [read(e.value) for e in at.error] == [message]
    assert at.text_input(key="access_add_email").value == email  # what was typed is kept to correct it
    assert users(eng) == before and len(trail(eng)) == events


def test_adding_an_account_leaves_one_event_with_the_right_fields(eng):
    at = open_as(ADMIN, name="Boss")
    at = add(at, " Ana@Example.ORG ", "coordinator", ["TJK", "KGZ"], name="Ana <b>Lopez</b>")
    assert [read(s.value) for s in at.success] == ["Account added: ana@example.org as coordinator."]
    assert not at.error and at.text_input(key="access_add_email").value == ""  # the form is cleared
    assert users(eng)["ana@example.org"] == ("coordinator", "KGZ, TJK")
    assert "ana@example.org" in list(at.dataframe[0].value["E-mail"])
    assert actions(eng) == ["user.add"] * 4 + ["user.add"]  # the four of the fixture, then this one
    event = last_event(eng)
    assert {k: event[k] for k in ("actor_email", "actor_name", "via", "action", "country", "quarter", "address")} == {
        "actor_email": ADMIN, "actor_name": "Boss", "via": "app", "action": "user.add", "country": None,
        "quarter": None, "address": ADDRESS,
    }  # fmt: skip
    assert event["detail"] == {
        "email": "ana@example.org", "role": "coordinator", "countries": ["KGZ", "TJK"], "name": "Ana <b>Lopez</b>",
    }  # fmt: skip


def test_a_manager_is_refused_a_higher_role_by_the_data_layer_whatever_the_page_offers(eng, monkeypatch):
    """The select boxes offer viewer and coordinator only; a forged request gets the refusal, nothing written."""
    from components import data_admin

    monkeypatch.setattr(auth, "actor", lambda: access.actor_for(eng, MANAGER))
    only_admins = "Only an administrator may give, change or remove the role {}."
    assert data_admin.add_user("x@example.org", "manager", [], None) == only_admins.format("manager")
    assert data_admin.set_role(VIEWER, "admin", []) == only_admins.format("admin")
    assert data_admin.remove_user(ADMIN) == only_admins.format("admin")
    assert "x@example.org" not in users(eng) and users(eng)[VIEWER] == ("viewer", "KGZ")
    assert actions(eng) == ["user.add"] * 4


# --------------------------------------------------------------------------- changing and removing


def choose(at, email: str):
    return run(at.selectbox(key="access_edit_email").set_value(email))


def test_changing_a_role_and_countries_leaves_one_event(eng):
    at = choose(open_as(ADMIN), VIEWER)
    assert edit_widget(at, "role").value == "viewer" and edit_widget(at, "countries").value == ["KGZ"]
    assert button(at, "Save changes").disabled  # nothing changed yet
    edit_widget(at, "role").set_value("coordinator")
    edit_widget(at, "countries").set_value(["KGZ", "IRQ"])
    at = run(button(run(at), "Save changes").click())
    assert [read(s.value) for s in at.success] == [f"{VIEWER} is now coordinator."]
    assert users(eng)[VIEWER] == ("coordinator", "IRQ, KGZ")
    assert edit_widget(at, "role").value == "coordinator"  # the form shows the stored account
    assert actions(eng)[-1:] == ["user.set_role"] and actions(eng).count("user.set_role") == 1
    assert last_event(eng)["detail"] == {
        "email": VIEWER, "role": "coordinator", "old_role": "viewer", "countries": ["IRQ", "KGZ"],
    }  # fmt: skip


def test_a_coordinator_without_a_country_is_refused_on_change_too(eng):
    at = choose(open_as(MANAGER), VIEWER)
    edit_widget(at, "role").set_value("coordinator")
    edit_widget(at, "countries").set_value([])
    at = run(button(run(at), "Save changes").click())
    assert [read(e.value) for e in at.error] == ["A coordinator needs at least one country."]
    assert users(eng)[VIEWER] == ("viewer", "KGZ") and actions(eng).count("user.set_role") == 0


def test_removing_needs_a_confirmation_and_leaves_one_event(eng):
    at = choose(open_as(MANAGER), COORDINATOR)
    assert button(at, "Remove account").disabled
    edit_widget(at, "confirm").check()
    at = run(button(run(at), "Remove account").click())
    assert [read(s.value) for s in at.success] == [f"The account of {COORDINATOR} is removed."]
    assert COORDINATOR not in users(eng)
    assert at.selectbox(key="access_edit_email").value.startswith(VIEWER)  # the next account the manager may change
    assert actions(eng)[-1] == "user.remove" and actions(eng).count("user.remove") == 1
    event = last_event(eng)
    assert (event["actor_email"], event["detail"]) == (MANAGER, {"email": COORDINATOR, "role": "coordinator"})


def test_the_last_administrator_can_be_neither_demoted_nor_removed(eng):
    at = choose(open_as(ADMIN), ADMIN)
    assert "your own account" in texts(at.caption)
    edit_widget(at, "role").set_value("manager")
    at = run(button(run(at), "Save changes").click())
    refusal = f"{ADMIN} is the last administrator: add another administrator first."
    assert [read(e.value) for e in at.error] == [refusal]
    edit_widget(at, "confirm").check()
    at = run(button(run(at), "Remove account").click())
    assert [read(e.value) for e in at.error] == [refusal]
    assert users(eng)[ADMIN] == ("admin", "") and actions(eng) == ["user.add"] * 4


# --------------------------------------------------------------------------- access requests


def request_access(email: str, name: str):
    """A person without an account signs in and asks for access."""
    at = run(signed_in(new_app(), email, name))
    assert [read(w.value) for w in at.warning] == [f"Signed in as {email}, but you have no access yet."]
    at = run(button(at, "Request access").click())
    assert "Your request is recorded" in texts(at.success)
    return at


def test_an_access_request_shows_on_the_page_and_granting_it_creates_the_account(eng):
    request_access("new@example.org", "New *Person*")
    assert actions(eng)[-1] == "access.request"
    at = open_as(MANAGER)
    assert "#### 1 access request" in markdown_text(at)
    shown = f"**{escape('New *Person*')} · {escape('new@example.org')}** · asked on"
    assert shown in "\n".join(m.value for m in at.markdown)  # the name and the address are escaped
    [rid] = access.access_requests(eng, access.BOOTSTRAP)["id"]
    assert at.selectbox(key=f"access_req_role_{rid}").options == ["viewer", "coordinator"]
    at.selectbox(key=f"access_req_role_{rid}").set_value("coordinator")
    at.multiselect(key=f"access_req_countries_{rid}").set_value(["TJK"])
    at = run(button(run(at), "Grant").click())
    assert [read(s.value) for s in at.success] == ["Access granted: new@example.org is now coordinator."]
    assert users(eng)["new@example.org"] == ("coordinator", "TJK")
    assert "access request" not in markdown_text(at)  # granted: no longer pending
    assert actions(eng)[-2:] == ["access.request", "user.add"]
    event = last_event(eng)
    assert (event["actor_email"], event["action"]) == (MANAGER, "user.add")
    assert event["detail"] == {"email": "new@example.org", "role": "coordinator", "countries": ["TJK"],
                               "name": "New *Person*"}  # fmt: skip
    # the person now gets in
    at = run(signed_in(new_app(), "new@example.org", "New *Person*"))
    assert not at.warning and "### Overview" in markdown_text(at)


def test_granting_a_coordinator_without_a_country_is_refused_and_the_request_stays(eng):
    request_access("new@example.org", "New Person")
    at = open_as(ADMIN)
    [rid] = access.access_requests(eng, access.BOOTSTRAP)["id"]
    at.selectbox(key=f"access_req_role_{rid}").set_value("coordinator")
    at = run(button(run(at), "Grant").click())
    assert [read(e.value) for e in at.error] == ["A coordinator needs at least one country."]
    assert "new@example.org" not in users(eng) and "#### 1 access request" in markdown_text(at)


def test_dismissing_a_request_leaves_one_event(eng):
    request_access("spam@example.org", "Spam")
    at = run(button(open_as(ADMIN), "Dismiss").click())
    assert [read(s.value) for s in at.success] == ["The request of spam@example.org is dismissed."]
    assert "access request" not in markdown_text(at) and "spam@example.org" not in users(eng)
    assert actions(eng)[-2:] == ["access.request", "access.dismiss"]
    event = last_event(eng)
    assert (event["actor_email"], event["detail"]["email"], event["address"]) == (ADMIN, "spam@example.org", ADDRESS)
