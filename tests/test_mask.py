"""The personal-data mask: no email, phone, IP, MAC, name or street of the demo dataset survives it."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from isptui.mask import Masker, MaskState, env_wants_mask
from isptui.sandbox.dataset import subscriber

SECRETS_OF = ("email", "phone", "ipv4", "mac", "street", "first_name", "last_name")


def shapes(number: int) -> tuple[dict[str, object], list[str]]:
    """Subscriber N as the five backends name its fields, plus free text, nesting and a URL."""
    s = subscriber(1, number)
    record = {
        "splynx": {"name": s.name, "email": s.email, "billing_email": s.email, "phone": s.phone,
                   "street_1": s.street, "zip_code": s.zip_code},
        "krill": {"name": s.first_name, "surname": s.last_name, "address": s.street,
                  "cpe": {"mac": s.mac, "wan": {"ip": s.ipv4}}},
        "ispcrm": {"fullname": s.name, "email": s.email, "phone": s.phone, "ip": s.ipv4, "mac": s.mac.upper()},
        "trisul": {"Name": s.name, "Email": s.email, "PhoneNumber": s.phone, "Address": f"{s.street}, {s.city}"},
        "carbon": {"name": f"{s.last_name} {s.first_name}", "sms": s.phone, "a_home_number": s.phone},
        "free text": f"call {s.phone} or write to {s.email}; CPE {s.mac} at {s.ipv4}",
        "url": f"http://h/api/users?email={s.email}&ip={s.ipv4}",
        "list": [s.email, {"ip_address": s.ipv4}],
    }
    values = [s.email, s.phone, s.ipv4, s.mac, s.mac.upper(), s.street, s.name,
              f"{s.last_name} {s.first_name}"]
    return record, values


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(min_value=1, max_value=5000))
def test_no_personal_value_survives(number: int) -> None:
    record, values = shapes(number)
    masker = Masker(b"fixed-test-key")
    out = json.dumps(masker.value(record), ensure_ascii=False)
    text = masker.json_text(json.dumps(record, ensure_ascii=False))
    for value in values:
        assert value not in out, value
        assert value not in text, value
        assert json.dumps(value, ensure_ascii=False)[1:-1] not in out, value


def test_stable_within_a_session_and_rows_stay_apart() -> None:
    masker = Masker(b"fixed-test-key")  # a session key; tags are hashes, so a fixed key keeps this exact
    emails = [subscriber(1, n).email for n in range(1, 201)]
    first = [masker.value(e, "email") for e in emails]
    assert first == [masker.value(e, "email") for e in emails]  # the same value masks the same way
    assert len(set(first)) == len(set(emails))  # and 200 rows can still be told apart
    assert first[0].startswith("•••") and first[0].endswith("@" + emails[0].split("@")[1])


def test_shapes_kept_for_reading() -> None:
    masker = Masker(b"k")
    assert masker.text("10.20.30.40").startswith("10.20.•.•")
    assert masker.text("aa:bb:cc:dd:ee:ff").startswith("aa:bb:cc:••:••:••")
    assert masker.value("Olivia Taylor", "name").startswith("Ol•••")
    assert masker.value(42, "id") == 42 and masker.value("active", "status") == "active"
    assert masker.text("2022-10-15 09:00:00, -12.50, 1.2.3") == "2022-10-15 09:00:00, -12.50, 1.2.3"


def test_switches() -> None:
    assert env_wants_mask({"ISPTUI_MASK": "1"}) and not env_wants_mask({"ISPTUI_MASK": "0"})
    state = MaskState()
    assert state.text("10.0.0.1") == "10.0.0.1"
    assert state.toggle() and state.text("10.0.0.1") != "10.0.0.1"
