"""Realistic fakes: names, e-mail addresses, instants, URLs and the string formats, drawn
from a seeded generator, so the same draw gives the same text in every process."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

#: Generated timestamps fall in the 90 days before this instant, so data stays stable.
EPOCH = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

_FIRST = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia", "Tim", "Frances")
_LAST = (
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Allen",
)
WORDS = (
    "checkout",
    "billing",
    "search",
    "onboarding",
    "reports",
    "gateway",
    "ledger",
    "inbox",
    "profile",
    "catalog",
    "pricing",
    "alerts",
)
_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 "
    "Safari/605.1.15",
    "python-requests/2.32.3",
    "curl/8.7.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0",
)


def fake_format(rng: random.Random, fmt: str, name: str) -> str | None:
    """A value in the string format ``fmt``; ``None`` for a format without a fake."""
    generators = {
        "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "date-time": lambda: fake_instant(rng).isoformat().replace("+00:00", "Z"),
        "date": lambda: fake_instant(rng).date().isoformat(),
        "time": lambda: fake_instant(rng).time().replace(microsecond=0).isoformat() + "Z",
        "email": lambda: fake_email(rng),
        "idn-email": lambda: fake_email(rng),
        "uri": lambda: f"https://example.com/{rng.choice(WORDS)}/{rng.randint(1, 999)}",
        "url": lambda: f"https://example.com/{rng.choice(WORDS)}/{rng.randint(1, 999)}",
        "uri-reference": lambda: f"/{rng.choice(WORDS)}/{rng.randint(1, 999)}",
        "hostname": lambda: f"{rng.choice(WORDS)}.example.com",
        "ipv4": lambda: f"{rng.choice((10, 172, 192))}.{rng.randint(0, 255)}."
        f"{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "ipv6": lambda: "2001:db8::" + format(rng.randint(1, 0xFFFF), "x"),
        "byte": lambda: base64.b64encode(fake_text(rng, name).encode()).decode(),
        "binary": lambda: fake_text(rng, name),
        "password": lambda: "s3cret-" + str(rng.randint(1000, 9999)),
    }
    make = generators.get(fmt)
    return make() if make else None


def fake_text(rng: random.Random, name: str) -> str:
    """Text that looks like what a property called ``name`` holds."""
    lowered = name.lower()
    makers: tuple[tuple[tuple[str, ...], Callable[[], object]], ...] = (
        (("email",), lambda: fake_email(rng)),
        (("firstname", "first_name"), lambda: rng.choice(_FIRST)),
        (("lastname", "last_name"), lambda: rng.choice(_LAST)),
        (("useragent", "user_agent"), lambda: rng.choice(_AGENTS)),
        (("ipaddress", "ip_address", "ip"), lambda: fake_format(rng, "ipv4", name) or ""),
        (("url", "href", "link", "uri"), lambda: fake_format(rng, "uri", name) or ""),
        (
            ("date", "time", "createdat", "updatedat"),
            lambda: fake_format(rng, "date-time", name) or "",
        ),
        (("id",), lambda: format(rng.getrandbits(96), "024x")),
        (("name", "title"), lambda: f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}"),
        (
            ("description", "message", "comment", "summary", "detail"),
            lambda: f"Updated the {rng.choice(WORDS)} settings for {rng.choice(WORDS)}",
        ),
    )
    for keys, make in makers:
        if (
            lowered in keys
            or any(lowered.endswith(k) for k in keys if len(k) > 2)
            or (keys == ("id",) and lowered.endswith("id"))
        ):
            return str(make())
    return f"{rng.choice(WORDS)}-{rng.randint(1, 99)}"


def fake_email(rng: random.Random) -> str:
    """``ada.lovelace@example.com``."""
    return f"{rng.choice(_FIRST).lower()}.{rng.choice(_LAST).lower()}@example.com"


def fake_instant(rng: random.Random) -> datetime:
    """An instant in the 90 days before :data:`EPOCH`."""
    return EPOCH - timedelta(seconds=rng.randint(0, 90 * 24 * 3600))
