"""Untrusted text made plain: one line, no invisible characters, bounded.

Every value that came from a workbook, a file name, a person's name or the
address is untrusted. Before it is shown anywhere (Markdown through
``components.layout.escape``, which starts here; a table, a chart, a map
tooltip, a cell comment) it is made plain by :func:`plain`:

- line and paragraph breaks (``\\r``, ``\\n``, the Unicode separators) and
  every other control character become a space, and runs of white space one
  space: a value cannot start a new line, list item or paragraph of the text
  it is shown in;
- format characters (Unicode category Cf: zero-width spaces and joiners,
  bidirectional embeddings, overrides and isolates such as U+202E, the
  byte-order mark, invisible tags) are removed: what is shown reads the way
  it is stored;
- a value longer than :data:`MAX_CHARS` is cut there, ending with an ellipsis.

No database and no Streamlit here: the pages, the components and the
annotated workbook share it.
"""

from __future__ import annotations

import re

import pandas as pd

MAX_CHARS = 2_000
"""The longest value shown, in characters (the importer's default cap on a
text cell): a longer one is cut and ends with :data:`ELLIPSIS`."""

ELLIPSIS = "…"

# Unicode's format characters (category Cf), as ranges so that importing this
# module does not scan the whole of Unicode; tests/test_escape.py checks them
# against this Python's unicodedata. U+13439-U+1343F became Cf in Unicode 15.
_FORMAT_RANGES = (
    "\u00ad",
    "\u0600-\u0605",
    "\u061c",
    "\u06dd",
    "\u070f",
    "\u0890-\u0891",
    "\u08e2",
    "\u180e",
    "\u200b-\u200f",
    "\u202a-\u202e",
    "\u2060-\u2064",
    "\u2066-\u206f",
    "\ufeff",
    "\ufff9-\ufffb",
    "\U000110bd",
    "\U000110cd",
    "\U00013430-\U0001343f",
    "\U0001bca0-\U0001bca3",
    "\U0001d173-\U0001d17a",
    "\U000e0001",
    "\U000e0020-\U000e007f",
)
_FORMAT = re.compile("[" + "".join(_FORMAT_RANGES) + "]")
# Control characters (C0, DEL, C1) and Unicode's line and paragraph
# separators, then any run of white space (which they have become).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s{2,}")
_ORDINARY = re.compile(r"[\w ,.'()/-]*")  # nothing to clean: the common case, checked first


def plain(value: object, max_chars: int = MAX_CHARS) -> str:
    """``value`` as one line of plain text (None: empty): breaks and control
    characters made spaces, white space collapsed and trimmed, invisible
    format characters removed, cut at ``max_chars`` with an ellipsis."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    if not (_ORDINARY.fullmatch(s) and s.isascii()):
        s = _FORMAT.sub("", s)
        s = _CONTROL.sub(" ", s)
        s = _SPACES.sub(" ", s)
    s = s.strip()
    if len(s) > max_chars:
        s = s[: max_chars - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return s


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text value made :func:`plain` (numbers, dates and
    other values as they are): a table as ``st.dataframe`` shows it."""
    out = frame.copy()
    for i, dtype in enumerate(out.dtypes):
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            values = out.iloc[:, i]
            out.iloc[:, i] = pd.Series(
                [plain(v) if isinstance(v, str) else v for v in values], index=out.index, dtype=dtype
            )
    return out
