"""A Pinterest pin with no title, description or link is rejected with a reason, not loaded as an empty resource."""

from __future__ import annotations

import json
from pathlib import Path

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources


def test_an_empty_pin_is_rejected_and_counted(tmp_path):
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps({"items": [
        {"id": "11", "title": "Descale your kettle", "description": "Use vinegar", "link": "https://acme.com/kettle", "board_id": "55"},
        {"id": "12", "description": "", "title": "", "link": None, "board_id": "55"},
        {"id": "14", "title": "  ", "board_id": "55"},
        {"id": "15", "alt_text": "A kettle on a stove", "board_id": "55"},
    ], "bookmark": "abc"}))
    report = LoadReport()
    items = list(load_resources([pins], LoadOptions(brand="Acme"), report))
    assert [r.id for r in items] == ["pin:11", "pin:15"]
    assert (report.read, report.loaded, report.rejected) == (4, 2, 2)
    assert [(Path(r.file).name, r.reason) for r in report.rejections] == [
        ("pins.json[pins 1]", "a pin with no title, description or link: nothing to suggest"),
        ("pins.json[pins 2]", "a pin with no title, description or link: nothing to suggest")]
