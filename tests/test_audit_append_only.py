"""The audit trail is append-only: no module of the app updates or deletes
its rows except ``data_access.audit.purge`` (the retention setting). The
source is read with ``ast``, so a new ``update(AuditEvent)`` anywhere, an
``AuditEvent.__table__.delete()`` or SQL text such as ``DELETE FROM
audit_events`` fails this test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = "audit_events"
MODEL = "AuditEvent"
SQL_CHANGE = re.compile(r"\b(update|delete|truncate|drop|alter|insert\s+or\s+replace|replace\s+into)\b", re.I)


def app_sources() -> list[Path]:
    """Every Python file of the app: the shell, the pages, the components, the data layer (its migrations too)."""
    return sorted(
        [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("components/**/*.py"), *ROOT.glob("data_access/**/*.py")]
    )


def _names_the_trail(node: ast.AST) -> bool:
    """Whether an expression is the audit model or table: ``AuditEvent``,
    ``models.AuditEvent``, ``AuditEvent.__table__``, ``table("audit_events")``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == MODEL:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == MODEL:
            return True
        if isinstance(sub, ast.Constant) and sub.value == TABLE:
            return True
    return False


def _is_sql_change(node: ast.AST) -> bool:
    """A string naming the table with a verb that changes rows (``DELETE FROM audit_events``)."""
    text = node.value if isinstance(node, ast.Constant) else None
    return isinstance(text, str) and TABLE in text and SQL_CHANGE.search(text) is not None


def _called(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def changes_to_the_trail(source: str) -> list[tuple[int, str]]:
    """(line, what) for each statement of ``source`` that would update or
    delete audit rows: ``update(AuditEvent)``, ``delete(AuditEvent)``,
    ``AuditEvent.__table__.update()``, ``session.delete(event)`` of a
    query on the model, or SQL text naming the table with a changing verb."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _called(node)
            if name in ("update", "delete"):
                target = [*node.args, *(k.value for k in node.keywords)]
                receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
                if any(_names_the_trail(a) for a in target) or (receiver is not None and _names_the_trail(receiver)):
                    found.append((node.lineno, f"{name}({ast.unparse(node)[:60]})"))
        elif _is_sql_change(node):
            found.append((node.lineno, f"SQL text: {str(node.value)[:60]!r}"))
    return found


def deleting_functions(source: str) -> dict[str, list[int]]:
    """The top-level functions of ``source`` holding a change to the trail, with its lines."""
    out: dict[str, list[int]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = [line for line, _ in changes_to_the_trail(ast.unparse(node))]
            if lines:
                out[node.name] = lines
    return out


def test_the_scanner_catches_each_way_of_changing_the_trail():
    """The check itself: each of these would alter the trail and is caught; reads and appends are not."""
    altering = [
        "conn.execute(update(AuditEvent).values(detail='{}'))",
        "conn.execute(sa.delete(models.AuditEvent).where(AuditEvent.id == 1))",
        "conn.execute(AuditEvent.__table__.delete())",
        "conn.execute(AuditEvent.__table__.update().values(actor_email='x'))",
        "conn.execute(delete(table('audit_events')))",
        "conn.execute(text('DELETE FROM audit_events WHERE id = 1'))",
        "conn.exec_driver_sql('update audit_events set detail = 1')",
        "conn.execute(text('TRUNCATE audit_events'))",
    ]
    for line in altering:
        assert changes_to_the_trail(line), line
    harmless = [
        "conn.execute(insert(AuditEvent).values(action='export'))",
        "conn.execute(select(AuditEvent.id))",
        "conn.execute(update(User).values(role='viewer'))",
        "conn.execute(delete(UserCountry).where(UserCountry.email == e))",
        "conn.execute(text('SELECT count(*) FROM audit_events'))",
    ]
    for line in harmless:
        assert not changes_to_the_trail(line), line
    assert deleting_functions("def purge():\n    delete(AuditEvent)\n\ndef log():\n    insert(AuditEvent)\n") == {
        "purge": [2]
    }


def test_no_module_outside_the_audit_module_updates_or_deletes_audit_events():
    sources = app_sources()
    assert len(sources) > 40 and ROOT / "data_access" / "audit.py" in sources
    offending = {
        str(path.relative_to(ROOT)): found
        for path in sources
        if path.name != "audit.py" or path.parent.name != "data_access"
        if (found := changes_to_the_trail(path.read_text(encoding="utf-8")))
    }
    assert offending == {}


def test_purge_is_the_only_deleter_and_nothing_updates_an_event():
    source = (ROOT / "data_access" / "audit.py").read_text(encoding="utf-8")
    changes = changes_to_the_trail(source)
    assert [what.split("(", 1)[0] for _, what in changes] == ["delete"]  # one delete, no update, no SQL text
    assert list(deleting_functions(source)) == ["purge"]
