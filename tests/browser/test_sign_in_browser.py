"""Sign-in in a real browser: the real OpenID Connect flow in Chromium
against oidc-provider-mock started on 127.0.0.1 (``tests/browser/oidc.py``),
the app started by ``streamlit run app.py`` with ``[auth]`` pointing at it (a
temporary secrets file passed with ``--secrets.files``) and a private copy of
the sample database holding the accounts. Then local mode: the default
start opens straight into the dashboard with the quiet banner, listening on
127.0.0.1 only, and a server bound to every interface without ``[auth]``
shows no data.

The people (``PEOPLE``): a viewer, a coordinator for Tajikistan, a manager,
an administrator, someone without an account, and someone whose provider
does not vouch for their e-mail address. What each role sees is the
README's table ("Sharing it").
"""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from benchmarks.chromium import VIEWPORT, OfflineGuard
from benchmarks.serve import app_env, streamlit_server
from components import nav
from data_access import access, audit, db
from data_access.access import add_user
from data_access.models import AccessRequest, Upload
from data_access.rules.access import Actor
from tests.browser.oidc import (
    COOKIE_SECRET,
    USER_COOKIE,
    auth_toml,
    expect_sign_in_screen,
    provider,
    set_person,
    sign_in,
    signed_cookie,
)
from tests.browser.support import rendered
from tests.test_upload_page import new_quarter_return
from tests.workbooks import INDICATORS_HEADER, return_workbook

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60_000  # ms: a rerun, or a round trip through the provider, on two busy cores
FIRST_RUN_TIMEOUT = 90_000  # ms: a session's first page, on a fresh server and two busy cores

# e-mail -> (name, role, countries); role None: no account.
PEOPLE: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "vera@example.org": ("Vera Viewer", "viewer", ()),
    "cora@example.org": ("Cora Coordinator", "coordinator", ("TJK",)),
    "max@example.org": ("Max Manager", "manager", ()),
    "ada@example.org": ("Ada Admin", "admin", ()),
    "nina@example.org": ("Nina Newcomer", None, ()),
}
UNVERIFIED = "uma@example.org"  # her provider says her e-mail address is not verified
# The mock provider's own pages load their stylesheet from a CDN: blocked like
# anything else that would leave the machine, and its form works without it.
PROVIDER_STYLESHEET = "https://cdn.jsdelivr.net/npm/@picocss/"
SETUP = Actor("setup@example.org", "Test set-up", "admin", via="cli")

# The README's table: the pages each role sees, by their titles in the sidebar.
PROGRAMME = ["Overview", "Country profiles", "Audit findings", "Priorities", "Map"]
ROLE_PAGES = {
    "viewer": PROGRAMME,
    "coordinator": [*PROGRAMME, "Upload", "Upload history"],
    "manager": [*PROGRAMME, "Upload", "Upload history", "Access"],
    "admin": [*PROGRAMME, "Upload", "Upload history", "Access", "Audit trail"],
}
TITLE_FILE = {
    "Overview": "overview",
    "Country profiles": "countries",
    "Audit findings": "findings",
    "Priorities": "priorities",
    "Map": "map",
    "Upload": "upload",
    "Upload history": "upload_history",
    "Access": "access",
    "Audit trail": "audit_trail",
}


def built(titles: list[str]) -> list[str]:
    """The titles whose page exists in this checkout (pages not built yet are not listed)."""
    return [title for title in titles if (ROOT / "pages" / f"{TITLE_FILE[title]}.py").is_file()]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    """oidc-provider-mock on 127.0.0.1, knowing every person's claims."""
    with provider(tmp_path_factory.mktemp("provider") / "provider.log") as base:
        for email, (name, _, _) in PEOPLE.items():
            set_person(base, email, email=email, name=name)
        set_person(base, UNVERIFIED, email=UNVERIFIED, email_verified=False, name="Uma Unverified")
        yield base


@pytest.fixture(scope="module")
def signin_db(sample_sqlite, tmp_path_factory) -> str:
    """A private copy of the sample database with the accounts of ``PEOPLE``."""
    path = tmp_path_factory.mktemp("signin") / "app.db"
    shutil.copy(sample_sqlite, path)
    url = f"sqlite:///{path}"
    engine = db.connect(url)
    for email, (name, role, countries) in PEOPLE.items():
        if role is not None:
            add_user(engine, SETUP, email, role, countries, name=name)
    db.dispose_all()
    return url


@pytest.fixture(scope="module")
def app(oidc_provider, signin_db, tmp_path_factory):
    """The app with sign-in through the provider; stopped after the module."""
    folder = tmp_path_factory.mktemp("signin_app")
    secrets = folder / "secrets.toml"
    secrets.write_text(auth_toml(f"{oidc_provider}/.well-known/openid-configuration"), encoding="utf-8")
    with streamlit_server(
        ROOT / "app.py", app_env(signin_db), folder / "streamlit.log", args=["--secrets.files", str(secrets)]
    ) as server:
        yield server.base


@pytest.fixture
def new_page(browser):
    """``new_page()`` -> a page in a fresh browser profile (its own cookies and
    Streamlit session), offline-guarded; on teardown no page may show a
    Streamlit exception and nothing may have left the machine."""
    contexts, guards, pages = [], [], []

    def _new():
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        guard = OfflineGuard()
        ctx.route("**/*", guard)
        page = ctx.new_page()
        contexts.append(ctx)
        guards.append(guard)
        pages.append(page)
        return page

    yield _new
    try:
        for page in pages:
            assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"
        blocked = [u for g in guards for u in g.blocked if not u.startswith(PROVIDER_STYLESHEET)]
        assert not blocked, f"requests to the internet were attempted: {blocked}"
    finally:
        for ctx in contexts:
            ctx.close()


def sidebar_links(page) -> list[str]:
    """The titles of the pages listed in the sidebar (without their icons' names)."""
    texts = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [text.strip().splitlines()[-1].strip() for text in texts]


def nav_link(page, title: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)


def signed_in_as(page, name: str, role: str):
    return page.get_by_test_id("stSidebarUserContent").get_by_text(f"Signed in as {name} ({role})", exact=True)


def engine_of(url: str):
    return db.connect(url)


# --------------------------------------------------------------------------- signed in, each role


@pytest.mark.parametrize("email", ["vera@example.org", "cora@example.org", "max@example.org", "ada@example.org"])
def test_each_role_signs_in_and_sees_the_pages_of_the_readme_table(app, signin_db, new_page, email):
    name, role, countries = PEOPLE[email]
    assert role is not None
    signed_in_before = len(audit.events(engine_of(signin_db), access.BOOTSTRAP, person=email, action="sign_in"))
    page = new_page()
    sign_in(page, app, email, FIRST_RUN_TIMEOUT)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    expect(page.get_by_role("heading", name=re.compile(r"^Overview · "))).to_be_visible()
    shown_role = {"admin": "administrator"}.get(role, role)
    if countries:
        shown_role += ": " + ", ".join(countries)
    expect(signed_in_as(page, name, shown_role)).to_be_visible()
    expect(page.get_by_test_id("stSidebarUserContent").get_by_role("button", name="Sign out")).to_be_visible()
    assert sidebar_links(page) == built(ROLE_PAGES[role])
    # the table agrees with the rules the app applies
    person = Actor(email, name, role, frozenset(countries))
    assert [s.key for s in nav.available(person)] == [TITLE_FILE[t] for t in built(ROLE_PAGES[role])]
    events = audit.events(engine_of(signin_db), access.BOOTSTRAP, person=email, action="sign_in")
    assert len(events) == signed_in_before + 1 and f'"role": "{role}"' in events.iloc[0]["detail"]


def test_a_viewer_has_no_upload_page_not_even_by_its_address(app, new_page):
    page = new_page()
    sign_in(page, app, "vera@example.org", FIRST_RUN_TIMEOUT)
    expect(signed_in_as(page, "Vera Viewer", "viewer")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    assert "Upload" not in sidebar_links(page) and "Upload history" not in sidebar_links(page)
    page.goto(f"{app}/upload")
    expect(page.get_by_text("Page not found")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Upload a quarterly return")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)


def test_sign_out_is_one_click_from_every_page_and_ends_the_sign_in(app, new_page):
    page = new_page()
    sign_in(page, app, "vera@example.org", FIRST_RUN_TIMEOUT)
    expect(signed_in_as(page, "Vera Viewer", "viewer")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    sign_out = page.get_by_test_id("stSidebarUserContent").get_by_role("button", name="Sign out")
    for title in reversed(built(PROGRAMME)):  # ends on the Overview, the page it started on
        nav_link(page, title).click()
        key = "" if title == "Overview" else TITLE_FILE[title]
        page.wait_for_url(re.compile(rf"^{re.escape(app)}/{key}(\?.*)?$"), timeout=TIMEOUT)
        rendered(page, TIMEOUT)
        expect(sign_out).to_be_visible()
        expect(signed_in_as(page, "Vera Viewer", "viewer")).to_be_visible()
    assert USER_COOKIE in {c["name"] for c in page.context.cookies()}
    sign_out.click()
    # Streamlit clears its cookie and asks the provider to end its session too.
    expect(page.get_by_role("heading", name="End Session")).to_be_visible(timeout=TIMEOUT)
    assert USER_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app}/**", timeout=TIMEOUT)
    expect_sign_in_screen(page, TIMEOUT)
    # and it stays signed out: a new visit asks to sign in
    page.goto(f"{app}/")
    expect_sign_in_screen(page, TIMEOUT)


# --------------------------------------------------------------------------- no account, no verified e-mail


def test_someone_without_an_account_requests_access_then_signs_out(app, signin_db, new_page):
    page = new_page()
    sign_in(page, app, "nina@example.org", FIRST_RUN_TIMEOUT)
    # the address is escaped like any untrusted text: a word joiner after "@" keeps it from becoming a link
    no_access = re.compile(r"Signed in as nina@\u2060?example\.org, but you have no access yet\.")
    expect(page.get_by_text(no_access)).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    engine = engine_of(signin_db)
    with engine.connect() as conn:
        assert conn.execute(select(AccessRequest).where(AccessRequest.email == "nina@example.org")).first() is None

    page.get_by_role("button", name="Request access").click()
    expect(page.get_by_text("Your request is recorded.")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Request access")).to_have_count(0)
    with engine.connect() as conn:
        rows = conn.execute(
            select(AccessRequest.name, AccessRequest.status).where(AccessRequest.email == "nina@example.org")
        ).all()
    assert [tuple(r) for r in rows] == [("Nina Newcomer", "pending")]
    requested = audit.events(engine, access.BOOTSTRAP, person="nina@example.org", action="access.request")
    assert len(requested) == 1 and requested.iloc[0]["via"] == "app"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="End Session")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app}/**", timeout=TIMEOUT)
    expect_sign_in_screen(page, TIMEOUT)
    assert len(audit.events(engine, access.BOOTSTRAP, person="nina@example.org", action="sign_out")) == 1


def test_an_e_mail_the_provider_does_not_vouch_for_gives_no_access(app, new_page):
    page = new_page()
    sign_in(page, app, UNVERIFIED, FIRST_RUN_TIMEOUT)
    expect(page.get_by_text("did not send a verified e-mail address")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    expect(page.get_by_role("button", name="Request access")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --------------------------------------------------------------------------- the sign-in cookie


def test_a_tampered_or_expired_cookie_brings_back_the_sign_in_screen(app, new_page):
    origin = app  # Streamlit checks that the cookie was issued for this origin
    claims = {"email": "ada@example.org", "name": "Ada Admin", "origin": origin, "is_logged_in": True}
    claims["provider"] = "default"

    # The control: a cookie signed as Streamlit signs it, today, is a sign-in.
    page = new_page()
    page.context.add_cookies([{"name": USER_COOKIE, "value": signed_cookie(claims), "url": app}])
    page.goto(f"{app}/")
    expect(signed_in_as(page, "Ada Admin", "administrator")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)

    forged = signed_cookie(claims, secret="not-" + COOKIE_SECRET)  # someone made it without the secret
    expired = signed_cookie(claims, age_days=40)  # the sign-in lasts 30 days
    payload, stamp, signature = signed_cookie(claims).rsplit(".", 2)
    edited = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{stamp}.{signature}"
    for value in (forged, expired, edited, "garbage"):
        page = new_page()
        page.context.add_cookies([{"name": USER_COOKIE, "value": value, "url": app}])
        page.goto(f"{app}/")
        expect_sign_in_screen(page, FIRST_RUN_TIMEOUT)


def test_a_real_cookie_edited_in_the_browser_brings_back_the_sign_in_screen(app, new_page):
    page = new_page()
    sign_in(page, app, "vera@example.org", FIRST_RUN_TIMEOUT)
    expect(signed_in_as(page, "Vera Viewer", "viewer")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    cookie = next(c for c in page.context.cookies() if c["name"] == USER_COOKIE)
    body, signature = cookie["value"].rsplit(".", 1)
    tampered = body + "." + signature[::-1]
    page.context.add_cookies([{**cookie, "value": tampered}])
    page.reload()
    expect_sign_in_screen(page, FIRST_RUN_TIMEOUT)


# --------------------------------------------------------------------------- a coordinator uploads for their country


def test_a_coordinator_uploads_for_their_country_only(app, signin_db, new_page, tmp_path):
    page = new_page()
    sign_in(page, app, "cora@example.org", FIRST_RUN_TIMEOUT)
    expect(signed_in_as(page, "Cora Coordinator", "coordinator: TJK")).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
    nav_link(page, "Upload").click()
    expect(page.get_by_role("heading", name="Upload a quarterly return")).to_be_visible(timeout=TIMEOUT)

    # the template is offered for Tajikistan only
    country = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Country", exact=True))
    country.click()
    expect(page.get_by_role("option")).to_have_text(["Tajikistan"], timeout=TIMEOUT)
    page.keyboard.press("Escape")

    # a Tajik return is applied, signed by her
    tjk = tmp_path / "TJK_2026-Q4.xlsx"
    tjk.write_bytes(new_quarter_return())
    page.locator("input[type=file]").set_input_files(str(tjk))
    expect(page.get_by_text("The workbook is valid: Tajikistan 2026-Q4")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Apply this return").click()
    expect(page.get_by_text(re.compile(r"Return applied as upload #\d+"))).to_be_visible(timeout=TIMEOUT)
    engine = engine_of(signin_db)
    with engine.connect() as conn:
        uploaded_by = conn.execute(
            select(Upload.uploaded_by).where(Upload.country_code == "TJK", Upload.quarter == "2026-Q4")
        ).scalar_one()
    assert "cora@example.org" in uploaded_by or "Cora Coordinator" in uploaded_by, uploaded_by
    uploads = audit.events(engine, access.BOOTSTRAP, person="cora@example.org", action="return.upload", country="TJK")
    assert len(uploads) == 1

    # a Kazakh return is refused, saying why, and nothing is written
    kaz = tmp_path / "KAZ_2026-Q4.xlsx"
    kaz.write_bytes(
        return_workbook("KAZ", "2026-Q4", Indicators=[INDICATORS_HEADER, ["prisoners_total", 40000, "no", None]])
    )
    # (the page may already say which countries are outside her access: the refusal is one more alert)
    mentions_kazakhstan = page.get_by_role("alert").filter(has_text=re.compile(r"Kazakhstan|\bKAZ\b"))
    before = mentions_kazakhstan.count()
    uploader = page.locator("input[type=file]")
    expect(uploader).to_have_count(1, timeout=TIMEOUT)  # the applied file's uploader is replaced by a fresh one
    uploader.set_input_files(str(kaz))
    expect(mentions_kazakhstan).to_have_count(before + 1, timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Apply this return")).to_have_count(0)
    with engine.connect() as conn:
        kazakh = conn.execute(select(Upload.id).where(Upload.country_code == "KAZ", Upload.quarter == "2026-Q4"))
        assert kazakh.all() == []


# --------------------------------------------------------------------------- servers of their own


def start_fresh(tmp_path: Path, db_url: str, *, secrets: str | None, address: str | None = "127.0.0.1"):
    """A server of the test's own, first request not made yet: ``secrets``
    is the text of its secrets file (None: no secrets file at all, so local
    mode whatever the developer keeps in .streamlit/secrets.toml)."""
    path = tmp_path / "secrets.toml"
    if secrets is not None:
        path.write_text(secrets, encoding="utf-8")
    log = tmp_path / "streamlit.log"
    return streamlit_server(ROOT / "app.py", app_env(db_url), log, address=address, args=["--secrets.files", str(path)])


@pytest.fixture
def fresh_db(sample_sqlite, tmp_path) -> str:
    path = tmp_path / "fresh.db"
    shutil.copy(sample_sqlite, path)
    return f"sqlite:///{path}"


def test_an_unreachable_provider_is_a_clear_message_not_an_error_page(tmp_path, fresh_db, new_page):
    dead = f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    with start_fresh(tmp_path, fresh_db, secrets=auth_toml(dead)) as server:
        page = new_page()
        page.goto(f"{server.base}/")
        page.get_by_role("button", name="Sign in").click(timeout=FIRST_RUN_TIMEOUT)
        message = "Sign-in is not available right now: the identity provider does not answer"
        expect(page.get_by_text(message)).to_be_visible(timeout=TIMEOUT)
        assert page.url.startswith(server.base)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)


def test_a_link_to_a_page_opened_first_on_a_new_server_shows_the_sign_in_screen(tmp_path, fresh_db, new_page):
    """On a server's very first request Streamlit runs ``pages/findings.py``
    on its own (see ``components.nav.ensure_shell``): signed out, that must
    end on the sign-in screen too, never on an exception."""
    dead = f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration"
    with start_fresh(tmp_path, fresh_db, secrets=auth_toml(dead)) as server:
        page = new_page()
        page.goto(f"{server.base}/findings")
        expect_sign_in_screen(page, FIRST_RUN_TIMEOUT)


def _closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- local mode


def _outward_address() -> str | None:
    """This computer's address on its network (None without one): a UDP
    "connection" picks the interface without sending anything."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _accepts(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=3):
            return True
    except OSError:
        return False


def test_the_default_start_opens_the_dashboard_with_the_local_banner_on_this_computer_only(
    tmp_path, fresh_db, new_page
):
    with start_fresh(tmp_path, fresh_db, secrets=None, address=None) as server:  # no --server.address
        page = new_page()
        page.goto(f"{server.base}/")
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=FIRST_RUN_TIMEOUT)
        sidebar = page.get_by_test_id("stSidebarUserContent")
        expect(
            sidebar.get_by_text(
                "Local mode: anyone using this computer has full rights; configure sign-in to share it."
            )
        ).to_be_visible()
        assert "Upload" in sidebar_links(page)  # the person at the machine is the administrator
        expect(sidebar.get_by_role("button", name="Sign out")).to_have_count(0)
        sidebar.get_by_role("button", name="How to share it").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Microsoft Entra ID")).to_be_visible(timeout=TIMEOUT)
        expect(dialog.get_by_role("heading", name="Keycloak")).to_be_visible()
        port = int(server.base.rsplit(":", 1)[1])
        outward = _outward_address()
        if outward is not None:
            assert not _accepts(outward, port), f"the server answers on {outward}: it must listen on 127.0.0.1 only"


def test_local_mode_bound_to_every_interface_shows_no_data(tmp_path, fresh_db, new_page):
    with start_fresh(tmp_path, fresh_db, secrets=None, address="0.0.0.0") as server:
        outward = _outward_address()
        if outward is not None:  # the probe the default start's test relies on does see such a server
            assert _accepts(outward, int(server.base.rsplit(":", 1)[1]))
        page = new_page()
        page.goto(f"{server.base}/")
        expect(page.get_by_text("This server listens on 0.0.0.0 without sign-in, so it shows no data.")).to_be_visible(
            timeout=FIRST_RUN_TIMEOUT
        )
        expect(page.get_by_role("heading", name="Microsoft Entra ID")).to_be_visible()  # how to configure sign-in
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        for path in ("/findings", "/upload", "/map"):  # no page's address gets past it
            page.goto(f"{server.base}{path}")
            expect(page.get_by_text("without sign-in, so it shows no data")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
