"""One seeded ISP dataset that all five emulators describe.

Subscriber N is generated on demand from ``(seed, N)`` alone, so a 100,000-customer sandbox starts at
once and any page costs only its own rows. Every emulator turns the same ``Subscriber`` into its vendor's
shape: Splynx customer N, Krill customer N with CPE N, ISPCRM user N, Trisul UserID = its login
(``isp{N:05d}``), Carbon abonent pk N with user login ``isp{N:05d}``.

Find (issue 17) relies on this being one source of truth: subscriber N has the same login, email and phone in
Splynx, ISPCRM, Trisul and Carbon, its CPE MAC on Krill and Splynx's service, its IP on the Splynx service,
Krill's RADIUS session, ISPCRM and Carbon's user. Two near-misses are placed on purpose (``NEAR_MISSES``):
two different people sharing one phone, and one MAC that Krill writes in Cisco notation.

Some subscribers carry awkward values on purpose (markup-like brackets, escape sequences, 300-character
strings, nulls, empty strings, several scripts), at fixed positions so tests can find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property, lru_cache

DEFAULT_CUSTOMERS = 200
DEFAULT_SEED = 1

# (first names, last names, cities with zip prefix and country, phone prefix, street word)
_LOCALES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...], str, str, str]] = {
    "es": (("Lucía", "Mateo", "Carmen", "Javier", "Núria", "Íñigo", "Pilar", "Álvaro"),
           ("García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Núñez", "Ibáñez"),
           (("Valencia", "46"), ("Sevilla", "41"), ("Zaragoza", "50"), ("Bilbao", "48")), "ES", "+34 6", "Calle"),
    "ru": (("Иван", "Ольга", "Дмитрий", "Анна", "Сергей", "Татьяна"),
           ("Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева"),
           (("Екатеринбург", "620"), ("Казань", "420"), ("Пермь", "614")), "RU", "+7 9", "ул."),
    "en": (("Olivia", "Liam", "Amelia", "Noah", "Grace", "Jack", "Siobhán", "Seán"),
           ("Smith", "Jones", "Taylor", "Brown", "O'Neill", "Walsh", "Murphy", "Wilson"),
           (("Leeds", "LS"), ("Cork", "T12"), ("Bristol", "BS")), "GB", "+44 7", "Road"),
    "pt": (("João", "Maria", "Gonçalo", "Inês", "Tiago", "Beatriz"),
           ("Silva", "Santos", "Ferreira", "Pereira", "Conceição", "Gonçalves"),
           (("Porto", "4000"), ("Braga", "4700"), ("Coimbra", "3000")), "PT", "+351 9", "Rua"),
    "pl": (("Zofia", "Jakub", "Łucja", "Michał", "Wiktoria", "Paweł"),
           ("Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamiński", "Żak"),
           (("Kraków", "30"), ("Gdańsk", "80"), ("Łódź", "90")), "PL", "+48 5", "ul."),
}
_LOCALE_ORDER = ("es", "en", "ru", "pt", "pl")

TARIFFS: tuple[dict[str, object], ...] = (
    {"id": 1, "title": "Fibra 100", "down": 100_000, "up": 100_000, "price": "25.00"},
    {"id": 2, "title": "Fibra 300", "down": 300_000, "up": 300_000, "price": "35.00"},
    {"id": 3, "title": "Fibra 600", "down": 600_000, "up": 600_000, "price": "45.00"},
    {"id": 4, "title": "Fibra 1G", "down": 1_000_000, "up": 1_000_000, "price": "60.00"},
    {"id": 5, "title": "Rural LTE 30", "down": 30_000, "up": 10_000, "price": "19.90"},
    {"id": 6, "title": "Business 1G [SLA]", "down": 1_000_000, "up": 1_000_000, "price": "120.00"},
)
STATUSES = ("active", "active", "active", "active", "blocked", "new", "disabled")
CPE_MODELS = ("HG8245H", "F670L", "EG8145V5", "ONT-2426", "FR1000-2")

MARKUP_NAME = "[bold red]Rich[/] Markup & Sons [link=http://evil]x[/link]"
ESCAPE_NOTE = "line1\x1b[31mRED\x1b[0m\x07 bell\r\nline2 \x1b]0;pwned\x07"
LONG_STRING = ("Very long street name " * 20)[:300]

BASE_DATE = date(2019, 1, 1)
BASE_TIME = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=1)))


@dataclass(frozen=True)
class Subscriber:
    """The vendor-neutral truth about subscriber N."""

    number: int
    locale: str
    first_name: str
    last_name: str
    email: str
    phone: str
    street: str
    city: str
    zip_code: str
    country: str
    status: str
    category: str
    tariff_id: int
    login: str
    password: str
    date_add: date
    balance: str
    note: str | None
    latitude: str
    longitude: str
    mac: str
    serial: str
    ipv4: str
    cpe_model: str
    pots_lines: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def user_id(self) -> str:
        """Trisul's string key for this subscriber: its login, so Find joins the IPDR record to the others."""
        return self.login

    @property
    def cpe_name(self) -> str:
        return f"isp{self.number:05d}"

    @cached_property
    def invoices(self) -> tuple[dict[str, object], ...]:
        """Three invoices, built on first use: most callers (filters over every row) never look at them.

        A fresh tuple of fresh dicts per Subscriber; callers treat them as read-only.
        """
        price = TARIFFS[(self.number - 1) % len(TARIFFS)]["price"]
        added, number = self.date_add, self.number
        return tuple(
            {
                "id": number * 10 + k,
                "number": f"INV-{added.year}-{number:06d}-{k}",
                "total": price,
                "status": "paid" if k < 2 or number % 4 else "not_paid",
                "date_created": (added + timedelta(days=30 * k)).isoformat(),
            }
            for k in range(3)
        )


# Awkward values, at fixed numbers so UI tests know where to look: number -> fields to override.
_AWKWARD: dict[int, dict[str, str | None]] = {
    3: {"last_name": MARKUP_NAME},
    5: {"note": ESCAPE_NOTE},
    7: {"street": LONG_STRING},
    11: {"note": None, "email": "", "phone": ""},
    13: {"first_name": "Zoë 🚀", "last_name": "Ωmega-東京"},
}

SHARED_PHONE = {28: 23}
"""Subscriber 28 has subscriber 23's phone (a household or a shop's landline): two people, one phone.
Find must not join them (a shared phone is a near-miss, not an identity)."""
CISCO_MAC_ON_KRILL = 17
"""Krill's CPE for subscriber 17 carries its MAC as ``aabb.ccdd.eeff``; Splynx and ISPCRM write ``aa:bb:…``."""
NEAR_MISSES = {"shared_phone": SHARED_PHONE, "cisco_mac_on_krill": CISCO_MAC_ON_KRILL}


def cisco_mac(mac: str) -> str:
    """``aa:bb:cc:dd:ee:ff`` → ``aabb.ccdd.eeff``."""
    digits = mac.replace(":", "").lower()
    return ".".join(digits[i:i + 4] for i in range(0, 12, 4))


_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread 64-bit hash (no PRNG object per subscriber)."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _words(seed: int, number: int) -> tuple[int, int, int, int, int]:
    """Five 64-bit hashes that depend only on ``(seed, number)``; each feeds a few draws via divmod."""
    x = _mix((seed * _GOLDEN + number * 0xD1B54A32D192ED03) & _M64)
    return (x, _mix((x + _GOLDEN) & _M64), _mix((x + 2 * _GOLDEN) & _M64), _mix((x + 3 * _GOLDEN) & _M64),
            _mix((x + 4 * _GOLDEN) & _M64))


_NEW = object.__new__
_NOTES = ("", "Prefers calls after 18:00", "Gate code 4711", "VIP", "Pays cash")
_BASE_ORDINAL = BASE_DATE.toordinal()
_TARIFF_IDS = tuple(int(t["id"]) for t in TARIFFS)  # type: ignore[call-overload]
_ASCII_FIRST = {first: first.encode("ascii", "ignore").decode().lower()
                for firsts, *_ in _LOCALES.values() for first in firsts}


@lru_cache(maxsize=4096)
def subscriber(seed: int, number: int) -> Subscriber:
    """Subscriber ``number`` (1-based) of the dataset seeded with ``seed``; pure and cached.

    About 8 µs uncached: five 64-bit hashes of ``(seed, number)`` feed every draw (the old ``random.Random``
    per subscriber cost ~50 µs, which made a filter over 100,000 customers take seconds).
    """
    r, r1, r2, mac, serial = _words(seed, number)
    locale = _LOCALE_ORDER[number % len(_LOCALE_ORDER)]
    firsts, lasts, cities, country, phone_prefix, street_word = _LOCALES[locale]
    r, i = divmod(r, len(cities))
    city, zip_prefix = cities[i]
    r, i = divmod(r, len(firsts))
    first = firsts[i]
    r, i = divmod(r, len(lasts))
    last = lasts[i]
    r, phone = divmod(r, 90_000_000)
    r, i = divmod(r, len(lasts))
    r, house = divmod(r, 199)
    i_note = r % len(_NOTES)
    r1, zip_suffix = divmod(r1, 900)
    r1, days = divmod(r1, 2500)
    r1, pw = divmod(r1, 900_000)
    cents = r1 % 25_000
    lon, lat = divmod(r2, 190_000_000)
    lon %= 690_000_000
    mac >>= 16
    serial &= 0xFFFFFFFF
    email = f"{_ASCII_FIRST[first] or f'user{number}'}.{number}@example.net"
    street = f"{street_word} {lasts[i]} {house + 1}"
    note: str | None = _NOTES[i_note]
    phone_text = f"{phone_prefix}{phone + 10_000_000}"
    odd = _AWKWARD.get(number)
    if odd is not None:
        first = odd.get("first_name", first) or first
        last = odd.get("last_name", last) or last
        email = odd.get("email", email)  # type: ignore[assignment]
        phone_text = odd.get("phone", phone_text)  # type: ignore[assignment]
        street = odd.get("street", street) or street
        note = odd.get("note", note)
    shares = SHARED_PHONE.get(number)
    if shares is not None:
        phone_text = subscriber(seed, shares).phone
    mac_hex = f"{mac:012x}"
    # Built without the dataclass __init__: a frozen one sets each of 25 fields through object.__setattr__,
    # which alone cost more than all the draws. Same fields, same frozen instance afterwards.
    sub = _NEW(Subscriber)
    sub.__dict__.update(
        number=number,
        locale=locale,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone_text,
        street=street,
        city=city,
        zip_code=f"{zip_prefix}{zip_suffix + 100}",
        country=country,
        status=STATUSES[number % len(STATUSES)],
        category="company" if number % 9 == 0 else "person",
        tariff_id=_TARIFF_IDS[(number - 1) % len(TARIFFS)],
        login=f"isp{number:05d}",
        password=f"pw-{pw + 100_000}",
        date_add=date.fromordinal(_BASE_ORDINAL + days),
        balance=f"{(cents - 5000) / 100:.2f}",
        note=note,
        latitude=f"{36.0 + lat / 1e7:.7f}",
        longitude=f"{-9.0 + lon / 1e7:.7f}",
        mac=":".join((mac_hex[0:2], mac_hex[2:4], mac_hex[4:6], mac_hex[6:8], mac_hex[8:10], mac_hex[10:12])),
        serial=f"HWTC{serial:08X}",
        ipv4=f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}",
        cpe_model=CPE_MODELS[number % len(CPE_MODELS)],
        pots_lines=1 + number % 2,
    )
    return sub


@dataclass(frozen=True)
class Dataset:
    """The size and seed of the shared dataset; emulators ask it for subscribers by number."""

    customers: int = DEFAULT_CUSTOMERS
    seed: int = DEFAULT_SEED

    def subscriber(self, number: int) -> Subscriber:
        if not 1 <= number <= self.customers:
            raise KeyError(number)
        return subscriber(self.seed, number)
