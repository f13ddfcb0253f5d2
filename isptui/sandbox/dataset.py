"""One seeded ISP dataset that all five emulators describe.

Subscriber N is generated on demand from ``(seed, N)`` alone, so a 100,000-customer sandbox starts at
once and any page costs only its own rows. Every emulator turns the same ``Subscriber`` into its vendor's
shape: Splynx customer N, Krill customer N with CPE N, ISPCRM user N, Trisul UserID ``SUB{N:06d}``,
Carbon abonent pk N.

Some subscribers carry awkward values on purpose (markup-like brackets, escape sequences, 300-character
strings, nulls, empty strings, several scripts), at fixed positions so tests can find them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

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
    invoices: tuple[dict[str, object], ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def user_id(self) -> str:
        """Trisul's string key for this subscriber."""
        return f"SUB{self.number:06d}"

    @property
    def cpe_name(self) -> str:
        return f"isp{self.number:05d}"


def _awkward(number: int, sub: dict[str, object]) -> None:
    """Put hostile but legal values at fixed numbers, so UI tests know where to look."""
    if number == 3:
        sub["last_name"] = MARKUP_NAME
    elif number == 5:
        sub["note"] = ESCAPE_NOTE
    elif number == 7:
        sub["street"] = LONG_STRING
    elif number == 11:
        sub["note"] = None
        sub["email"] = ""
        sub["phone"] = ""
    elif number == 13:
        sub["first_name"] = "Zoë 🚀"
        sub["last_name"] = "Ωmega-東京"


@lru_cache(maxsize=4096)
def subscriber(seed: int, number: int) -> Subscriber:
    """Subscriber ``number`` (1-based) of the dataset seeded with ``seed``; pure and cached."""
    rnd = random.Random(seed * 1_000_003 + number)
    locale = _LOCALE_ORDER[number % len(_LOCALE_ORDER)]
    firsts, lasts, cities, country, phone_prefix, street_word = _LOCALES[locale]
    city, zip_prefix = rnd.choice(cities)
    first, last = rnd.choice(firsts), rnd.choice(lasts)
    ascii_first = first.encode("ascii", "ignore").decode().lower() or f"user{number}"
    values: dict[str, object] = {
        "first_name": first,
        "last_name": last,
        "email": f"{ascii_first}.{number}@example.net",
        "phone": f"{phone_prefix}{rnd.randrange(10_000_000, 99_999_999)}",
        "street": f"{street_word} {rnd.choice(lasts)} {rnd.randrange(1, 200)}",
        "note": rnd.choice(("", "Prefers calls after 18:00", "Gate code 4711", "VIP", "Pays cash")),
    }
    _awkward(number, values)
    tariff = TARIFFS[(number - 1) % len(TARIFFS)]
    added = BASE_DATE + timedelta(days=rnd.randrange(0, 2500))
    invoices = tuple(
        {
            "id": number * 10 + k,
            "number": f"INV-{added.year}-{number:06d}-{k}",
            "total": tariff["price"],
            "status": "paid" if k < 2 or number % 4 else "not_paid",
            "date_created": (added + timedelta(days=30 * k)).isoformat(),
        }
        for k in range(3)
    )
    return Subscriber(
        number=number,
        locale=locale,
        first_name=str(values["first_name"]),
        last_name=str(values["last_name"]),
        email=str(values["email"]),
        phone=str(values["phone"]),
        street=str(values["street"]),
        city=city,
        zip_code=f"{zip_prefix}{rnd.randrange(100, 999)}",
        country=country,
        status=STATUSES[number % len(STATUSES)],
        category="company" if number % 9 == 0 else "person",
        tariff_id=int(tariff["id"]),  # type: ignore[call-overload]
        login=f"isp{number:05d}",
        password=f"pw-{rnd.randrange(100000, 999999)}",
        date_add=added,
        balance=f"{rnd.randrange(-5000, 20000) / 100:.2f}",
        note=values["note"],  # type: ignore[arg-type]
        latitude=f"{rnd.uniform(36.0, 55.0):.7f}",
        longitude=f"{rnd.uniform(-9.0, 60.0):.7f}",
        mac=":".join(f"{rnd.randrange(256):02x}" for _ in range(6)),
        serial=f"HWTC{rnd.randrange(16**8):08X}",
        ipv4=f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}",
        cpe_model=CPE_MODELS[number % len(CPE_MODELS)],
        pots_lines=1 + number % 2,
        invoices=invoices,
    )


@dataclass(frozen=True)
class Dataset:
    """The size and seed of the shared dataset; emulators ask it for subscribers by number."""

    customers: int = DEFAULT_CUSTOMERS
    seed: int = DEFAULT_SEED

    def subscriber(self, number: int) -> Subscriber:
        if not 1 <= number <= self.customers:
            raise KeyError(number)
        return subscriber(self.seed, number)
