import pytest

from isptui.find.query import recognize


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("42", "id", "42"),
        ("Alice@Example.COM", "email", "alice@example.com"),
        ("AA-BB-CC-DD-EE-0F", "mac", "aa:bb:cc:dd:ee:0f"),
        ("aabb.ccdd.ee0f", "mac", "aa:bb:cc:dd:ee:0f"),
        ("10.0.0.42", "ip", "10.0.0.42"),
        ("+44 20 7946 0042", "phone", "442079460042"),
        ("sub42", "login", "sub42"),
    ],
)
def test_recognize_kind(text, kind, value):
    q = recognize(text)
    assert q.kind == kind
    assert q.values[kind] == value


def test_ip_is_not_a_phone_and_mac_notations_agree():
    assert "phone" not in recognize("10.0.0.42").kinds
    assert recognize("aa:bb:cc:dd:ee:0f").values["mac"] == recognize("AABBCCDDEE0F").values["mac"]


def test_nonsense_has_no_kind():
    assert recognize("   ").kind is None
    assert recognize("a b c <x>").kind is None


@pytest.mark.parametrize(
    ("text", "kinds", "name"),
    [
        ("Olivia Taylor", ("name",), "olivia taylor"),
        ("  olivia   TAYLOR ", ("name",), "olivia taylor"),
        ("Popova", ("login", "name"), "popova"),
        ("Попова", ("login", "name"), "попова"),
        ("O'Neil Smith-Jones", ("name",), "o'neil smith-jones"),
        ("isp00042", ("login",), None),
        ("deadbeefcafe", ("mac", "login"), None),
        ("x", (), None),
    ],
)
def test_free_text_name(text, kinds, name):
    q = recognize(text)
    assert q.kinds == kinds
    assert q.values.get("name") == name
