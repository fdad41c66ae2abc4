"""Realistic fakes: names, e-mail addresses, instants, URLs and the string formats, drawn
from a seeded generator, so the same draw gives the same text in every process."""

from __future__ import annotations

import base64
import functools
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
    make = _FORMAT_MAKERS.get(fmt)
    return make(rng, name) if make else None


def _uri(rng: random.Random, name: str) -> str:
    return f"https://example.com/{rng.choice(WORDS)}/{rng.randint(1, 999)}"


def _ipv4(rng: random.Random, name: str) -> str:
    return (
        f"{rng.choice((10, 172, 192))}.{rng.randint(0, 255)}."
        f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


_FORMAT_MAKERS: dict[str, Callable[[random.Random, str], str]] = {
    "uuid": lambda rng, name: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "date-time": lambda rng, name: fake_instant(rng).isoformat().replace("+00:00", "Z"),
    "date": lambda rng, name: fake_instant(rng).date().isoformat(),
    "time": lambda rng, name: fake_instant(rng).time().replace(microsecond=0).isoformat() + "Z",
    "email": lambda rng, name: fake_email(rng),
    "idn-email": lambda rng, name: fake_email(rng),
    "uri": _uri,
    "url": _uri,
    "uri-reference": lambda rng, name: f"/{rng.choice(WORDS)}/{rng.randint(1, 999)}",
    "hostname": lambda rng, name: f"{rng.choice(WORDS)}.example.com",
    "ipv4": _ipv4,
    "ipv6": lambda rng, name: "2001:db8::" + format(rng.randint(1, 0xFFFF), "x"),
    "byte": lambda rng, name: base64.b64encode(fake_text(rng, name).encode()).decode(),
    "binary": lambda rng, name: fake_text(rng, name),
    "password": lambda rng, name: "s3cret-" + str(rng.randint(1000, 9999)),
}


def fake_text(rng: random.Random, name: str) -> str:
    """Text that looks like what a property called ``name`` holds."""
    make = _text_maker(name.lower())
    if make is None:
        return f"{rng.choice(WORDS)}-{rng.randint(1, 99)}"
    return str(make(rng, name))


_TEXT_MAKERS: tuple[tuple[tuple[str, ...], Callable[[random.Random, str], object]], ...] = (
    (("email",), lambda rng, name: fake_email(rng)),
    (("firstname", "first_name"), lambda rng, name: rng.choice(_FIRST)),
    (("lastname", "last_name"), lambda rng, name: rng.choice(_LAST)),
    (("useragent", "user_agent"), lambda rng, name: rng.choice(_AGENTS)),
    (("ipaddress", "ip_address", "ip"), lambda rng, name: fake_format(rng, "ipv4", name) or ""),
    (("url", "href", "link", "uri"), lambda rng, name: fake_format(rng, "uri", name) or ""),
    (
        ("date", "time", "createdat", "updatedat"),
        lambda rng, name: fake_format(rng, "date-time", name) or "",
    ),
    (("id",), lambda rng, name: format(rng.getrandbits(96), "024x")),
    (
        ("name", "title"),
        lambda rng, name: f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}",
    ),
    (
        ("description", "message", "comment", "summary", "detail"),
        lambda rng, name: f"Updated the {rng.choice(WORDS)} settings for {rng.choice(WORDS)}",
    ),
)


@functools.lru_cache(maxsize=4096)
def _text_maker(lowered: str) -> Callable[[random.Random, str], object] | None:
    """What makes text for a property whose lowered name is ``lowered`` (decided once per
    name: a generated list asks it of the same names thousands of times)."""
    for keys, make in _TEXT_MAKERS:
        if (
            lowered in keys
            or any(lowered.endswith(k) for k in keys if len(k) > 2)
            or (keys == ("id",) and lowered.endswith("id"))
        ):
            return make
    return None


def fake_email(rng: random.Random) -> str:
    """``ada.lovelace@example.com``."""
    return f"{rng.choice(_FIRST).lower()}.{rng.choice(_LAST).lower()}@example.com"


def fake_instant(rng: random.Random) -> datetime:
    """An instant in the 90 days before :data:`EPOCH`."""
    return EPOCH - timedelta(seconds=rng.randint(0, 90 * 24 * 3600))
