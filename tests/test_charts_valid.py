"""Every chart the pages draw is a valid Vega-Lite spec.

The pages build their specs without Altair's schema validation (it costs
0.1-0.4 s per chart on every rerun, see ``components.charts.screen_spec``),
so the validation happens here: each page runs on the sample data and each
chart it sends to the browser is checked against the Vega-Lite JSON schema
that Altair ships."""

from __future__ import annotations

import json

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from components import nav
from tests.apptest_support import new_app, run

SCHEMA = load_schema()
PAGES = [p.file for p in nav.available()]
NO_CHARTS = ("pages/upload.py", "pages/upload_history.py", "pages/access.py", "pages/audit_trail.py")
EXTRA_STATE = {"pages/map.py": {"map_static_open": True}}  # the static map is drawn only when opened


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_the_page_is_valid_vega_lite(page, sample_url):  # noqa: F811
    at = run(new_app({"quarter": "2026-Q3"}))
    at.switch_page(page)
    for key, value in EXTRA_STATE.get(page, {}).items():
        at.session_state[key] = value
    run(at)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    if page in NO_CHARTS:
        assert not specs
        return
    assert specs, f"{page} drew no chart"
    for spec in specs:
        validate_jsonschema(spec, SCHEMA, raise_error=True)
        assert spec["title"]["text"]


def test_an_invalid_spec_is_caught():
    from jsonschema.exceptions import ValidationError

    with pytest.raises(ValidationError, match="'bars'"):
        validate_jsonschema({"mark": "bars", "encoding": {}}, SCHEMA, raise_error=True)
