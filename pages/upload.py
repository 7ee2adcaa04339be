"""Upload: a coordinator gets the template, uploads the quarter's workbook,
sees every problem with its cell (and gets the workbook back with the
problems marked), previews what a valid return will change, and confirms.
The upload is signed by the signed-in person; only the countries they may
upload for are offered, and the importer refuses any other (the refusal is
shown like any other problem). Layout only: checking and applying go
through the importer (``components.data_upload``), the same code path as
the command line; the tables of problems come from
``components.view_upload``."""

import hashlib

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from components import auth, data, data_upload, filters, layout, nav, sessions, view_upload
from components import formatting as fmt
from components.i18n import t
from data_access.rules.preview import SheetPreview, pages_changed
from data_access.rules.quarters import Quarter, parse_quarter, quarter_range
from data_access.rules.text import plain_frame

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_QUARTER = Quarter(2024, 1)

state = st.session_state
state.setdefault("upload_nonce", 0)
f = filters.current()
layout.page_header(t("upload.title"), t("upload.subtitle"))

countries = data.countries()
if countries.empty:
    st.warning(t("upload.no_countries"))
    st.stop()
names = dict(zip(countries["code"], countries["name"], strict=False))
codes = data_upload.upload_countries(names)  # only the countries this person may upload for
if not codes:
    st.warning(t("upload.no_upload_countries"), icon=":material/lock:")
    st.stop()

# --------------------------------------------------------------------------- 1. template

st.markdown(f"#### {t('upload.step_template')}")
latest = parse_quarter(f.quarters[-1]) if f.quarters else FIRST_QUARTER.previous()
options = [str(q) for q in reversed(quarter_range(FIRST_QUARTER, max(latest.next(), FIRST_QUARTER)))]
default_country = next((c for c in f.scope if c in codes), codes[0])
c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
country = c1.selectbox(
    t("upload.country"),
    codes,
    index=codes.index(default_country),
    format_func=lambda c: names.get(c, c),
    key="upload_country",
)
quarter = c2.selectbox(t("upload.quarter"), options, index=0, key="upload_quarter")
c3.download_button(
    t("upload.download_template", country=names.get(country, country), quarter=quarter),
    data=lambda: data_upload.template(country, quarter),
    file_name=f"return_{country}_{quarter}.xlsx",
    mime=XLSX,
    icon=":material/download:",
    on_click="ignore",
    key="upload_template",
)
st.caption(t("upload.template_help"))

# --------------------------------------------------------------------------- 2. the workbook

st.markdown(f"#### {t('upload.step_file')}")
st.caption(t("upload.signed_as", who=layout.escape(auth.actor().label)))
uploaded = st.file_uploader(
    t("upload.file"),
    type=["xlsx"],
    key=f"upload_file_{state.upload_nonce}",
    help=t("upload.file_help", mb=f"{data_upload.max_upload_mb():g}"),
)

if uploaded is None:  # no workbook (removed, applied, or the page was left): keep nothing of an earlier one
    state.pop("upload_checked", None)

done = state.get("upload_done")
if done is not None and uploaded is None:
    st.success(
        t("upload.applied", id=done["id"], n=done["n"], country=done["country"], quarter=done["quarter"]),
        icon=":material/task_alt:",
    )
    links = [p for p in done["pages"] if nav.has(p)]
    if links:
        st.markdown(t("upload.see_pages"))
        cols = st.columns(len(links))
        for col, key in zip(cols, links, strict=False):
            with col:
                nav.link(key)

if uploaded is None:
    st.stop()

content = uploaded.getvalue()
sha = hashlib.sha256(content).hexdigest()
sessions.hold_upload()  # when the browser goes, the session goes at once, with the workbook
checked = state.get("upload_checked")  # (sha256, data_upload.check's summary)
if checked is None or checked[0] != sha:
    state.pop("upload_checked", None)  # the previous workbook's check, before this one is made
    with st.status(t("upload.checking", file=layout.escape(uploaded.name)), expanded=False) as box:
        bar = st.progress(0.0)
        summary = data_upload.check(
            content,
            uploaded.name,
            progress=lambda x, text: bar.progress(min(max(x, 0.0), 1.0), text=text),
        )
        box.update(label=t("upload.checked", file=layout.escape(uploaded.name)), state="complete")
    checked = state.upload_checked = (sha, summary)
    state.upload_done = None
result = checked[1].result  # without its row changes: the preview below has them


def _warnings() -> None:
    if result.warnings:
        with st.expander(t("upload.warnings_title", n=len(result.warnings)), expanded=not result.ok):
            st.dataframe(view_upload.issues_table(result.warnings), hide_index=True, width="stretch")


if result.refused:
    st.error(f"**{t('upload.refused_title')}**\n\n{data_upload.text(result.message)}", icon=":material/lock:")
    st.stop()

if result.status == "unreadable":
    st.error(f"**{t('upload.unreadable_title')}**\n\n{data_upload.text(result.message)}", icon=":material/block:")
    st.stop()

if result.status == "rejected":
    st.error(t("upload.rejected_title", n=len(result.errors)), icon=":material/error:")
    st.caption(t("upload.rejected_help"))
    stem = uploaded.name.rsplit(".", 1)[0]
    st.download_button(
        t("upload.download_annotated"),
        data=data_upload.annotated(content, result.errors, result.warnings),
        file_name=f"{stem}_problems.xlsx",
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="upload_annotated",
        type="primary",
    )
    st.dataframe(view_upload.issues_table(result.errors), hide_index=True, width="stretch")
    _warnings()
    st.stop()

if result.status == "identical":
    st.info(t("upload.identical", id=result.upload_id), icon=":material/info:")
    st.stop()

# A valid return: what it will change.
st.success(
    t("upload.valid_title", country=names.get(result.country, result.country), quarter=result.quarter),
    icon=":material/check_circle:",
)
if (result.country, result.quarter) != (country, quarter):
    st.warning(
        t(
            "upload.other_return",
            chosen_country=names.get(country, country),
            chosen_quarter=quarter,
            country=names.get(result.country, result.country),
            quarter=result.quarter,
        ),
        icon=":material/info:",
    )
if result.supersedes:
    s = result.supersedes
    st.warning(
        t(
            "upload.supersedes",
            id=s["id"],
            file=layout.escape(s["file_name"]),
            who=layout.escape(s["uploaded_by"]),
            when=fmt.datetime(s["uploaded_at"]),
        ),
        icon=":material/swap_horiz:",
    )
_warnings()


def _first_rows(p: SheetPreview, table: str) -> None:
    """Say so when the preview keeps only the first rows of ``table``."""
    if p.left_out(table):
        shown = {"added": p.added, "changed": p.changed, "removed": p.removed}[table]
        st.caption(t("upload.preview_first", shown=fmt.number(len(shown)), n=fmt.number(p.totals[table])))


st.markdown(f"#### {t('upload.preview_title')}")
previews = checked[1].previews
for p in previews:
    c = p.counts
    title = t(
        "upload.preview_sheet",
        sheet=p.sheet,
        added=c["added"],
        updated=c["updated"],
        unchanged=c["unchanged"],
        removed=c["removed"],
    )
    with st.expander(title, expanded=p.changes_anything and len(previews) <= 3):
        if not p.changes_anything:
            st.caption(t("upload.preview_nothing"))
        if not p.added.empty:
            st.markdown(f"**{t('upload.preview_added')}**")
            st.dataframe(
                plain_frame(p.added.rename(columns={"key": t("upload.col.key")})), hide_index=True, width="stretch"
            )
            _first_rows(p, "added")
        if not p.changed.empty:
            st.markdown(f"**{t('upload.preview_changed')}**")
            st.dataframe(
                plain_frame(
                    p.changed.rename(
                        columns={
                            "key": t("upload.col.key"),
                            "column": t("upload.col.column"),
                            "before": t("upload.col.before"),
                            "after": t("upload.col.after"),
                        }
                    )
                ),
                hide_index=True,
                width="stretch",
            )
            _first_rows(p, "changed")
        if not p.removed.empty:
            st.markdown(f"**{t('upload.preview_removed')}**")
            st.dataframe(
                plain_frame(p.removed.rename(columns={"key": t("upload.col.key")})), hide_index=True, width="stretch"
            )
            _first_rows(p, "removed")


def _apply(content: bytes, file_name: str, file: UploadedFile) -> None:
    """Runs before the page is drawn again (a button callback), so the result
    survives any rerun; the page then shows it."""
    summary = data_upload.apply(content, file_name)
    applied = summary.result
    if applied.status == "applied":
        state.upload_done = dict(
            id=applied.upload_id,
            n=summary.changed_rows,
            country=applied.country,
            quarter=applied.quarter,
            pages=pages_changed(summary.previews),
        )
        state.pop("upload_checked", None)
        state.upload_nonce += 1  # a fresh, empty uploader
        sessions.forget_file(file)  # the workbook is stored now: Streamlit need not keep it for this session
    else:  # e.g. the database changed since the check: say what is wrong now
        state.upload_failed = applied


st.button(
    t("upload.confirm"),
    type="primary",
    icon=":material/publish:",
    key="upload_confirm",
    on_click=_apply,
    args=(content, uploaded.name, uploaded),
)
failed = state.pop("upload_failed", None)
if failed is not None:
    if failed.status == "identical":
        st.info(t("upload.identical", id=failed.upload_id), icon=":material/info:")
    else:
        st.error(t("upload.applied_failed", message=data_upload.text(failed.message)), icon=":material/error:")
        if failed.errors:
            st.dataframe(view_upload.issues_table(failed.errors), hide_index=True, width="stretch")
