"""Text that tells the truth (issue 15, item 7): null is not "null", crumbs cut in the middle, one message once."""

from __future__ import annotations

from isptui.ui.text import cell, safe_text
from isptui.ui.widgets.status import cut_middle


def test_null_and_the_string_null_look_different() -> None:
    assert cell(None) == "null"
    assert cell("null") == '"null"'
    assert cell("") == '""'
    assert str(safe_text("None")) == '"None"' and str(safe_text(None)) == "null"
    assert cell("Lucía") == "Lucía"


def test_breadcrumbs_give_way_in_the_middle() -> None:
    parts = ["prod-splynx", "Customers", "42 " + "Lucía García " * 20, "Services", "7 Internet 100M"]
    text = cut_middle(parts, 60)
    assert text.startswith("prod-splynx › …") and text.endswith("7 Internet 100M")
    assert len(text) <= 60
    assert cut_middle(["a", "b"], 60) == "a › b"
    long_tail = cut_middle(["prod", "x" * 200], 40)
    assert long_tail.startswith("prod") and len(long_tail) <= 40
