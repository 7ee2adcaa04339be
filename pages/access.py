"""Access: who may use the dashboard, with which role, for which countries;
pending access requests; adding, changing and removing accounts.

For managers (viewers and coordinators) and administrators (every role).
Layout and widgets only: reads and writes go through
``components.data_admin`` (uncached, so a change shows on the next
interaction), which passes the acting person to ``data_access``: the rules
(who may give which role, the last administrator, bad input) are enforced
there, and a refusal comes back as the text shown here. Every change is one
entry of the audit trail."""

import streamlit as st

from components import auth, data, data_admin, layout, nav, view_access
from components.i18n import t, tn
from components.layout import escape

K = "access_"  # prefix of this page's widget keys
ADD_EMAIL, ADD_NAME, ADD_ROLE, ADD_COUNTRIES = K + "add_email", K + "add_name", K + "add_role", K + "add_countries"
EDIT_EMAIL, FLASH, ADD_ERROR = K + "edit_email", K + "flash", K + "add_error"
ACCOUNT_ROWS = 12  # accounts shown before the table scrolls

nav.ensure_shell()
why = data_admin.refused("manage_users")
if why is not None:  # the page is not listed for this person; opened anyway, it shows nothing
    st.error(why, icon=":material/lock:")
    st.stop()

person = auth.actor()
roles = view_access.grantable_roles(person)
countries = data.countries()
names = dict(zip(countries["code"], countries["name"], strict=True))
codes = sorted(names)


def _country(code: str) -> str:
    return view_access.country_option(code, names)


def _flash(ok: bool, message: str) -> None:
    st.session_state[FLASH] = ("success" if ok else "error", message)


# --------------------------------------------------------------------------- callbacks (run before the page is drawn)


def _add() -> None:
    ss = st.session_state
    email, role = str(ss.get(ADD_EMAIL) or ""), str(ss.get(ADD_ROLE) or "")
    problem = data_admin.add_user(email, role, ss.get(ADD_COUNTRIES) or [], ss.get(ADD_NAME) or None)
    if problem is not None:
        ss[ADD_ERROR] = problem  # the form keeps what was typed
        return
    _flash(True, t("admin.access.added", email=escape(email.strip().lower()), role=view_access.role_label(role)))
    ss[ADD_EMAIL], ss[ADD_NAME], ss[ADD_COUNTRIES] = "", "", []


def _grant(request_id: int, email: str, name: str | None) -> None:
    ss = st.session_state
    role = str(ss.get(f"{K}req_role_{request_id}") or "")
    problem = data_admin.add_user(email, role, ss.get(f"{K}req_countries_{request_id}") or [], name)
    _flash(
        problem is None,
        problem or t("admin.access.granted", email=escape(email), role=view_access.role_label(role)),
    )


def _dismiss(request_id: int, email: str) -> None:
    problem = data_admin.dismiss_request(request_id)
    _flash(problem is None, problem or t("admin.access.dismissed", email=escape(email)))


def _save(email: str, role_key: str, countries_key: str) -> None:
    role = str(st.session_state.get(role_key) or "")
    problem = data_admin.set_role(email, role, st.session_state.get(countries_key) or [])
    done = t("admin.access.changed", email=escape(email), role=view_access.role_label(role))
    _flash(problem is None, problem or done)


def _remove(email: str) -> None:
    problem = data_admin.remove_user(email)
    if problem is None:
        st.session_state.pop(EDIT_EMAIL, None)
    _flash(problem is None, problem or t("admin.access.removed", email=escape(email)))


# --------------------------------------------------------------------------- the page

layout.page_header(t("admin.access.title"), t("admin.access.subtitle"))
flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1], icon=":material/manage_accounts:")

pending = data_admin.requests()
if not pending.empty:
    st.markdown(f"#### {tn('admin.access.requests_title', len(pending))}")
    st.caption(t("admin.access.requests_help"))
    for r in pending.itertuples():
        rid = int(r.id)
        with st.container(border=True):
            st.markdown(view_access.request_title(r))
            c1, c2, c3, c4 = st.columns([1.5, 3.2, 1, 1], vertical_alignment="bottom")
            c1.selectbox(t("admin.access.role"), roles, key=f"{K}req_role_{rid}", format_func=view_access.role_label)
            c2.multiselect(
                t("admin.access.countries"),
                codes,
                key=f"{K}req_countries_{rid}",
                format_func=_country,
                placeholder=t("admin.access.countries_all"),
                help=t("admin.access.countries_help"),
            )
            c3.button(
                t("admin.access.grant"),
                key=f"{K}grant_{rid}",
                type="primary",
                icon=":material/how_to_reg:",
                on_click=_grant,
                args=(rid, str(r.email), r.name or None),
                width="stretch",
            )
            c4.button(
                t("admin.access.dismiss"),
                key=f"{K}dismiss_{rid}",
                icon=":material/block:",
                on_click=_dismiss,
                args=(rid, str(r.email)),
                width="stretch",
                help=t("admin.access.dismiss_help"),
            )

users = data_admin.users()
st.markdown(f"#### {tn('admin.access.accounts_title', len(users))}")
if users.empty:
    st.info(t("admin.access.no_accounts"), icon=":material/person_off:")
else:
    table = view_access.accounts_table(users, names)
    st.dataframe(table, hide_index=True, width="stretch", height=layout.table_height(len(table), ACCOUNT_ROWS))
st.caption(t("admin.access.roles_help"))

left, right = st.columns(2, gap="large")

with left, st.form(K + "add_form"):
    st.markdown(f"##### {t('admin.access.add_title')}")
    st.text_input(t("admin.access.email"), key=ADD_EMAIL, max_chars=254, placeholder="name@organisation.org")
    st.text_input(t("admin.access.name"), key=ADD_NAME, max_chars=200)
    st.selectbox(t("admin.access.role"), roles, key=ADD_ROLE, format_func=view_access.role_label)
    st.multiselect(
        t("admin.access.countries"),
        codes,
        key=ADD_COUNTRIES,
        format_func=_country,
        placeholder=t("admin.access.countries_all"),
        help=t("admin.access.countries_help"),
    )
    problem = st.session_state.pop(ADD_ERROR, None)
    if problem:
        st.error(problem, icon=":material/error:")
    st.form_submit_button(t("admin.access.add"), type="primary", icon=":material/person_add:", on_click=_add)

with right, st.container(border=True):
    st.markdown(f"##### {t('admin.access.change_title')}")
    editable = view_access.manageable(person, users)
    if not editable:
        st.caption(t("admin.access.nothing_to_change"))
    else:
        chosen = st.selectbox(
            t("admin.access.account"),
            list(editable),
            key=EDIT_EMAIL,
            format_func=lambda e: view_access.account_option(editable[e]),
        )
        row = editable[chosen]
        current = [c for c in view_access.country_codes(row.countries) if c in names]
        role_key, countries_key = view_access.edit_key("role", row), view_access.edit_key("countries", row)
        role = st.selectbox(
            t("admin.access.role"),
            roles,
            index=roles.index(row.role),
            key=role_key,
            format_func=view_access.role_label,
        )
        chosen_countries = st.multiselect(
            t("admin.access.countries"),
            codes,
            default=current,
            key=countries_key,
            format_func=_country,
            placeholder=t("admin.access.countries_all"),
            help=t("admin.access.countries_help"),
        )
        if chosen == person.email:
            st.caption(t("admin.access.own_account"))
        st.button(
            t("admin.access.save"),
            type="primary",
            icon=":material/save:",
            key=K + "save",
            disabled=role == row.role and sorted(chosen_countries) == sorted(current),
            on_click=_save,
            args=(chosen, role_key, countries_key),
        )
        st.divider()
        confirmed = st.checkbox(
            t("admin.access.remove_confirm", email=escape(chosen)), key=view_access.edit_key("confirm", row)
        )
        st.button(
            t("admin.access.remove"),
            icon=":material/person_remove:",
            key=K + "remove",
            disabled=not confirmed,
            on_click=_remove,
            args=(chosen,),
        )
    if "manager" not in roles:
        st.caption(t("admin.access.managers_note"))
