"""Upload history: every upload of the person's countries with its file, who
sent it and what it changed; the original bytes can be downloaded again (a
coordinator: the files they uploaded; a manager: any) and a superseded
upload restored by a manager (as a new upload: the history is never
rewritten). Buttons are shown only to whoever may use them; the rules are
enforced in ``data_access``. Layout only: reads and writes go through
``components.data_upload``, the tables come from ``components.view_upload``."""

import pandas as pd
import streamlit as st

from components import data_upload, filters, layout, view_upload
from components import formatting as fmt
from components.i18n import t
from components.layout import escape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_ROWS = 11  # uploads shown before the table scrolls

f = filters.current()
layout.page_header(t("history.title"), t("history.subtitle"))
message = st.session_state.pop("history_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1], icon=":material/restore:")
history = data_upload.upload_history(f.countries)
if history.empty:
    layout.empty_state(t("history.title"), t("history.empty"), links=["upload"])
    st.stop()


table = view_upload.history_table(history)
st.dataframe(table, hide_index=True, width="stretch", height=layout.table_height(len(table), max_rows=HISTORY_ROWS))

# --------------------------------------------------------------------------- one upload


def _restore(upload_id: int) -> None:
    """A button callback: runs before the page is drawn again."""
    result = data_upload.restore(upload_id)
    if result.status == "applied":
        st.session_state["history_message"] = ("success", t("history.restored", old=upload_id, id=result.upload_id))
    else:
        st.session_state["history_message"] = (
            "error",
            t("history.restore_failed", id=upload_id, message=data_upload.text(result.message)),
        )


rows = {int(r.id): r for r in history.itertuples()}
chosen = st.selectbox(
    t("history.choose"),
    list(rows),
    key="history_upload",
    format_func=lambda i: view_upload.history_option(rows[i]),
)
r = rows[chosen]
st.markdown(f"#### {t('history.details', id=chosen, file=escape(r.file_name))}")
st.caption(t("history.uploaded_by", who=escape(r.uploaded_by), when=fmt.datetime(r.uploaded_at)))
left, right = st.columns([3, 2], gap="large")
with left:
    if r.counts:
        st.markdown(f"**{t('history.counts')}**")
        st.dataframe(pd.DataFrame(r.counts).T.rename_axis(t("upload.col.key")), width="stretch")
    st.markdown(f"**{t('history.warnings')}**")
    if r.warnings:
        st.dataframe(view_upload.stored_warnings_table(r.warnings), hide_index=True, width="stretch")
    else:
        st.caption(t("history.no_warnings"))
with right:
    if data_upload.may_download(r):
        st.download_button(
            t("history.download"),
            data=data_upload.upload_file(chosen),
            file_name=r.file_name,
            mime=XLSX,
            icon=":material/download:",
            on_click="ignore",
            key=f"history_download_{chosen}",
        )
    else:
        st.caption(t("history.download_own_only"))
    st.caption(t("history.sha256", sha=r.sha256))
    if r.status == "current":
        st.caption(t("history.is_current"))
    elif data_upload.may_restore(r.country):
        current = history[
            (history["country"] == r.country) & (history["quarter"] == r.quarter) & (history["status"] == "current")
        ]
        st.markdown(f"**{t('history.restore_title')}**")
        st.caption(
            t(
                "history.restore_help",
                country=r.country,
                quarter=r.quarter,
                current=int(current["id"].iloc[0]) if not current.empty else "-",
            )
        )
        st.button(
            t("history.restore", id=chosen),
            icon=":material/restore:",
            key=f"history_restore_{chosen}",
            on_click=_restore,
            args=(chosen,),
        )
    else:
        st.caption(t("history.restore_manager_only"))
