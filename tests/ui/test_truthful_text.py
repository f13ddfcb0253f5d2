"""Text that tells the truth (issue 15, item 7): null is not "null", crumbs cut in the middle, one message once."""

from __future__ import annotations

from isptui.ui.text import byte_size, cell, character_count, safe_text
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


def test_sizes_say_one_unit_each() -> None:
    """Bytes in SI units throughout (the record view said kB of 1,000 bytes but MB of 1,048,576: 1.5 MB read
    as "1.4 MB"); characters counted exactly, never as kilobytes."""
    assert [byte_size(n) for n in (999, 1000, 3_400, 999_949, 1_500_000)] == [
        "999 B", "1.0 kB", "3.4 kB", "999.9 kB", "1.5 MB"]
    assert [character_count(n) for n in (1, 812, 3_412, 1_048_579)] == [
        "1 character", "812 characters", "3,412 characters", "1,048,579 characters"]
