"""Accounts and the audit trail in the database (data_access.access,
data_access.audit), on SQLite and PostgreSQL: every change is checked, a
refused change writes nothing, and every change leaves exactly one audit
event with the right fields."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data_access import access, audit
from data_access.models import Base
from data_access.rules.access import AccessError, Actor

ADMIN = Actor("boss@example.org", "Boss", "admin", via="app")
MANAGER = Actor("mgr@example.org", "Manager", "manager")
COORDINATOR = Actor("tj@example.org", "Coordinator", "coordinator", frozenset({"TJK"}))


def trail(engine):
    return audit.events(engine, ADMIN).to_dict("records")


def refused(key, call, *args, **kwargs):
    with pytest.raises(AccessError) as caught:
        call(*args, **kwargs)
    assert caught.value.message.key == key
    return caught.value


def test_the_migrations_build_the_schema_the_models_describe(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_adding_a_user_stores_it_lower_case_with_one_audit_event(engine):
    access.add_user(engine, ADMIN, " Ana@Example.ORG ", "Coordinator", ["tjk", "KGZ"], name="Ana")
    users = access.list_users(engine, ADMIN)
    assert users[["email", "name", "role", "countries", "created_by"]].to_dict("records") == [
        {"email": "ana@example.org", "name": "Ana", "role": "coordinator", "countries": "KGZ, TJK",
         "created_by": "boss@example.org"},
    ]  # fmt: skip
    [event] = trail(engine)
    assert (event["actor_email"], event["actor_name"], event["via"], event["action"]) == (
        "boss@example.org", "Boss", "app", "user.add",
    )  # fmt: skip
    assert json.loads(event["detail"]) == {
        "email": "ana@example.org", "role": "coordinator", "countries": ["KGZ", "TJK"], "name": "Ana",
    }  # fmt: skip
    assert event["at"] <= dt.datetime.now(dt.UTC) and event["country"] is None


def test_actor_for_gives_the_role_and_countries_or_none(engine):
    access.add_user(engine, ADMIN, "ana@example.org", "coordinator", ["TJK"])
    assert access.actor_for(engine, "ANA@example.org", "Ana") == Actor(
        "ana@example.org", "Ana", "coordinator", frozenset({"TJK"}), "app"
    )
    assert access.actor_for(engine, "nobody@example.org", "Nobody").role is None


@pytest.mark.parametrize(
    ("key", "args"),
    [
        ("access.invalid.email", ("ana", "viewer", [])),
        ("access.invalid.role", ("ana@example.org", "boss", [])),
        ("access.invalid.country", ("ana@example.org", "viewer", ["FRA"])),
        ("access.invalid.no_country", ("ana@example.org", "coordinator", [])),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(engine, key, args):
    refused(key, access.add_user, engine, ADMIN, *args)
    assert access.list_users(engine, ADMIN).empty and trail(engine) == []


def test_who_may_manage_whom(engine):
    access.add_user(engine, ADMIN, "mgr@example.org", "manager")
    access.add_user(engine, MANAGER, "v@example.org", "viewer")
    refused("access.refused.manage_role", access.add_user, engine, MANAGER, "m2@example.org", "manager")
    refused("access.refused.manage_role", access.set_role, engine, MANAGER, "v@example.org", "admin")
    refused("access.refused.manage_role", access.remove_user, engine, MANAGER, "mgr@example.org")
    refused("access.refused.manage_users", access.add_user, engine, COORDINATOR, "x@example.org", "viewer")
    refused("access.refused.manage_users", access.list_users, engine, COORDINATOR)
    refused("access.user_exists", access.add_user, engine, ADMIN, "V@example.org", "viewer")
    assert [e["action"] for e in trail(engine)] == ["user.add", "user.add"]


def test_set_role_and_remove_each_leave_one_event(engine):
    access.add_user(engine, ADMIN, "ana@example.org", "viewer")
    access.set_role(engine, ADMIN, "ana@example.org", "coordinator", ["KAZ"])
    assert access.actor_for(engine, "ana@example.org").countries == {"KAZ"}
    access.set_role(engine, ADMIN, "ana@example.org", "manager")  # countries kept
    assert access.actor_for(engine, "ana@example.org").role == "manager"
    access.remove_user(engine, ADMIN, "ana@example.org")
    assert access.actor_for(engine, "ana@example.org").role is None
    events = trail(engine)[::-1]
    assert [e["action"] for e in events] == ["user.add", "user.set_role", "user.set_role", "user.remove"]
    assert json.loads(events[1]["detail"]) == {
        "email": "ana@example.org", "role": "coordinator", "old_role": "viewer", "countries": ["KAZ"],
    }  # fmt: skip
    assert json.loads(events[3]["detail"]) == {"email": "ana@example.org", "role": "manager"}
    refused("access.unknown_user", access.remove_user, engine, ADMIN, "ana@example.org")
    access.add_user(engine, ADMIN, "v@example.org", "viewer")
    refused("access.invalid.no_country", access.set_role, engine, ADMIN, "v@example.org", "coordinator")
    assert len(trail(engine)) == 5


def test_the_last_admin_can_be_neither_removed_nor_demoted(engine):
    assert access.bootstrap_admins(engine, "Boss@example.org, ,boss@example.org") == ["boss@example.org"]
    refused("access.last_admin", access.remove_user, engine, ADMIN, "boss@example.org")
    refused("access.last_admin", access.set_role, engine, ADMIN, "boss@example.org", "manager")
    access.add_user(engine, ADMIN, "second@example.org", "admin")
    access.set_role(engine, ADMIN, "boss@example.org", "viewer")
    refused("access.last_admin", access.remove_user, engine, ADMIN, "second@example.org")
    assert list(access.list_users(engine, ADMIN)["role"]) == ["viewer", "admin"]


def test_bootstrap_admins_from_the_environment_creates_only_the_missing(engine, monkeypatch):
    monkeypatch.setenv("DASHBOARD_ADMINS", "a@example.org,b@example.org")
    assert access.bootstrap_admins(engine) == ["a@example.org", "b@example.org"]
    assert access.bootstrap_admins(engine) == []
    events = trail(engine)
    assert [(e["action"], e["actor_email"], e["via"]) for e in events] == [
        ("user.add", "DASHBOARD_ADMINS", "local")
    ] * 2
    monkeypatch.delenv("DASHBOARD_ADMINS")
    assert access.bootstrap_admins(engine) == []


def test_an_access_request_is_recorded_once_and_granted_by_adding_the_user(engine):
    someone = access.actor_for(engine, "new@example.org", "New Person")
    assert access.request_access(engine, someone, address="10.0.0.7") is True
    assert access.request_access(engine, someone) is False  # already pending
    pending = access.access_requests(engine, ADMIN)
    assert pending[["email", "name", "status"]].to_dict("records") == [
        {"email": "new@example.org", "name": "New Person", "status": "pending"}
    ]
    [event] = trail(engine)
    assert (event["action"], event["actor_email"], event["actor_name"], event["address"]) == (
        "access.request", "new@example.org", "New Person", "10.0.0.7",
    )  # fmt: skip
    access.add_user(engine, ADMIN, "new@example.org", "viewer")
    assert access.access_requests(engine, ADMIN).empty
    assert list(access.access_requests(engine, ADMIN, None)["status"]) == ["granted"]


def test_audit_events_filter_and_purge(engine):
    with engine.begin() as conn:
        audit.record(conn, ADMIN, "export", country="TJK", quarter="2024-Q1", dataset="findings", format="csv")
        audit.record(conn, COORDINATOR, "upload", country="TJK", quarter="2024-Q1", upload=3)
    assert len(audit.events(engine, ADMIN)) == 2
    assert list(audit.events(engine, ADMIN, person="BOSS@example.org")["action"]) == ["export"]
    assert list(audit.events(engine, ADMIN, action="upload")["actor_email"]) == ["tj@example.org"]
    assert len(audit.events(engine, ADMIN, country="KAZ")) == 0
    today = dt.datetime.now(dt.UTC).date()
    assert len(audit.events(engine, ADMIN, since=today, until=today)) == 2
    assert len(audit.events(engine, ADMIN, until=today - dt.timedelta(days=1))) == 0
    assert audit.purge(engine, 1) == 0 and len(audit.events(engine, ADMIN)) == 2


def test_purge_drops_only_events_older_than_the_retention(engine, monkeypatch):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    monkeypatch.setattr(audit, "now", lambda: long_ago)
    with engine.begin() as conn:
        audit.record(conn, ADMIN, "export")
    monkeypatch.undo()
    with engine.begin() as conn:
        audit.record(conn, ADMIN, "restore")
    monkeypatch.setenv("DASHBOARD_AUDIT_DAYS", "5")
    assert audit.purge(engine) == 1
    purged, kept = trail(engine)
    assert (kept["action"], purged["action"]) == ("restore", "audit.purge")
    assert purged["actor_email"] == "DASHBOARD_AUDIT_DAYS"
    assert json.loads(purged["detail"])["days"] == 5 and json.loads(purged["detail"])["deleted"] == 1
    assert audit.purge(engine) == 0 and len(trail(engine)) == 2  # nothing more to delete: nothing recorded


def test_only_administrators_read_the_trail(engine):
    with engine.begin() as conn:
        audit.record(conn, COORDINATOR, "export", country="TJK")
        audit.record(conn, ADMIN, "export")
    for reader in (MANAGER, COORDINATOR, Actor("new@example.org")):
        why = refused("access.refused.read_audit" if reader.role else "access.refused.no_account", audit.events,
                      engine, reader)  # fmt: skip
        assert why.message.params.get("role", reader.role) == reader.role
        refused(why.message.key, audit.people, engine, reader)
    assert audit.people(engine, ADMIN) == ["boss@example.org", "tj@example.org"]
    assert len(trail(engine)) == 2  # reading records nothing


def test_dismissing_an_access_request_leaves_one_event_and_the_person_may_ask_again(engine):
    someone = access.actor_for(engine, "new@example.org", "New Person")
    access.request_access(engine, someone)
    [request_id] = access.access_requests(engine, ADMIN)["id"]
    refused("access.refused.manage_users", access.dismiss_request, engine, COORDINATOR, int(request_id))
    access.dismiss_request(engine, MANAGER, int(request_id))
    assert access.access_requests(engine, ADMIN).empty
    assert list(access.access_requests(engine, ADMIN, None)["status"]) == ["dismissed"]
    dismissed = trail(engine)[0]
    assert (dismissed["action"], dismissed["actor_email"]) == ("access.dismiss", "mgr@example.org")
    assert json.loads(dismissed["detail"]) == {"email": "new@example.org", "request_id": int(request_id)}
    refused("access.unknown_request", access.dismiss_request, engine, MANAGER, int(request_id))
    assert len(trail(engine)) == 2
    assert access.request_access(engine, someone) is True


def test_retention_setting(monkeypatch):
    monkeypatch.delenv("DASHBOARD_AUDIT_DAYS", raising=False)
    assert audit.retention_days() is None
    monkeypatch.setenv("DASHBOARD_AUDIT_DAYS", " ")
    assert audit.retention_days() is None
    assert audit.retention_days("365") == 365
    with pytest.raises(ValueError, match="at least 1"):
        audit.retention_days("0")


def test_only_the_audit_module_touches_the_audit_trail_and_it_only_appends_and_purges():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sources = [*root.glob("data_access/**/*.py"), *root.glob("components/**/*.py"), *root.glob("pages/*.py")]
    touching = sorted(
        str(p.relative_to(root)) for p in sources if "audit_events" in (text := p.read_text()) or "AuditEvent" in text
    )
    assert touching == [
        "data_access/audit.py",
        "data_access/migrations/versions/0004_access.py",
        "data_access/models.py",
    ]
    code = (root / "data_access" / "audit.py").read_text()
    assert "update(" not in code and code.count("delete(") == 1  # the retention purge
