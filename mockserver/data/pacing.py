"""Pacing: how slowly, and how badly, an operation answers (its delay distribution, error
rate, fault rate and faults), parsed once, wherever it is written (``mock.yaml`` or the
command line), into typed values the server draws from.

It lives in the data layer, below the declaration that reads it and the server that draws
from it, so that the format is checked in one place.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Every fault the mock can give (see :mod:`mockserver.serve.latency`).
FAULTS = ("reset", "empty", "malformed", "slow-body", "timeout")
#: No delay, and no held connection, lasts longer than this.
MAX_DELAY_MS = 60_000
#: The standard normal's 99th percentile: log-normal sigma = ln(p99 / median) / Z99.
Z99 = 2.3263478740408408

_RANGE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?(?:ms)?\s*")


class Delay(Protocol):
    """A distribution of delays in milliseconds."""

    def sample(self, rng: random.Random) -> float:
        """One delay, in milliseconds."""
        ...


@dataclass(frozen=True)
class Fixed:
    """Always ``ms``."""

    ms: float

    def sample(self, rng: random.Random) -> float:
        """``ms``."""
        return self.ms


@dataclass(frozen=True)
class Uniform:
    """Anywhere from ``low`` to ``high``, evenly."""

    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        """A uniform draw."""
        return rng.uniform(self.low, self.high)


@dataclass(frozen=True)
class LogNormal:
    """Real latency: most requests near the ``median``, one in a hundred past ``p99``."""

    median: float
    p99: float

    def sample(self, rng: random.Random) -> float:
        """A log-normal draw, capped at :data:`MAX_DELAY_MS`."""
        sigma = math.log(self.p99 / self.median) / Z99
        return min(rng.lognormvariate(math.log(self.median), sigma), MAX_DELAY_MS)


def parse_delay(value: Any) -> Delay:
    """``250``, ``"100-900"``, ``{median: 120, p99: 900}`` (also ``{fixed: 250}`` and
    ``{min: 100, max: 900}``) as a distribution; raises ``ValueError`` saying what is wrong."""
    if isinstance(value, bool):
        raise ValueError(_DELAY_FORMS)
    if isinstance(value, int | float):
        return _checked(Fixed(float(value)))
    if isinstance(value, str) and "=" in value:  # the command line's median=120,p99=900
        try:
            pairs = dict(part.split("=", 1) for part in value.split(","))
            return parse_delay({k.strip(): float(v) for k, v in pairs.items()})
        except ValueError:
            raise ValueError(f"{value!r} is not a delay: {_DELAY_FORMS}") from None
    if isinstance(value, str):
        match = _RANGE.fullmatch(value)
        if not match:
            raise ValueError(f"{value!r} is not a delay: {_DELAY_FORMS}")
        low, high = match.group(1), match.group(2)
        return _checked(Fixed(float(low)) if high is None else Uniform(float(low), float(high)))
    if isinstance(value, Mapping):
        keys = set(value)
        numbers = {k: v for k, v in value.items() if isinstance(v, int | float)}
        if len(numbers) == len(value):
            if keys == {"fixed"}:
                return _checked(Fixed(float(numbers["fixed"])))
            if keys == {"min", "max"}:
                return _checked(Uniform(float(numbers["min"]), float(numbers["max"])))
            if keys == {"median", "p99"}:
                return _checked(LogNormal(float(numbers["median"]), float(numbers["p99"])))
    raise ValueError(f"{value!r} is not a delay: {_DELAY_FORMS}")


_DELAY_FORMS = (
    "give milliseconds (250), a range (100-900), or {median: 120, p99: 900}, at most 60000"
)


def _checked(delay: Fixed | Uniform | LogNormal) -> Delay:
    if isinstance(delay, Fixed) and not 0 <= delay.ms <= MAX_DELAY_MS:
        raise ValueError(f"{delay.ms:g} ms is out of range: {_DELAY_FORMS}")
    if isinstance(delay, Uniform) and not 0 <= delay.low <= delay.high <= MAX_DELAY_MS:
        raise ValueError(f"{delay.low:g}-{delay.high:g} is not a range: {_DELAY_FORMS}")
    if isinstance(delay, LogNormal) and not 0 < delay.median < delay.p99 <= MAX_DELAY_MS:
        raise ValueError(f"the median must be above 0 and below p99: {_DELAY_FORMS}")
    return delay


def parse_rate(value: Any, name: str) -> float:
    """A probability from 0 to 1; raises ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} takes a probability from 0 to 1, such as 0.05, not {value!r}")
    return float(value)


def parse_faults(names: Iterable[str]) -> tuple[str, ...]:
    """Fault names, checked; raises ``ValueError`` listing the known ones."""
    found = tuple(n.strip() for n in names if n.strip())
    unknown = [n for n in found if n not in FAULTS]
    if unknown:
        raise ValueError(f"unknown fault {unknown[0]!r}; the faults are {', '.join(FAULTS)}")
    return found


@dataclass(frozen=True)
class Pacing:
    """How one operation (or API, or the whole server) answers: its delay distribution,
    the share of requests answered with a declared error, and the share given a fault."""

    latency: Delay | None = None
    error_rate: float | None = None
    fault_rate: float | None = None
    faults: tuple[str, ...] | None = None

    @classmethod
    def from_mapping(cls, block: Mapping[str, Any]) -> Pacing:
        """The ``latency``, ``error-rate``, ``fault-rate`` and ``faults`` keys of a
        ``mock.yaml`` block (or of the command line's options)."""
        return cls(
            parse_delay(block["latency"]) if block.get("latency") is not None else None,
            parse_rate(block["error-rate"], "error-rate")
            if block.get("error-rate") is not None
            else None,
            parse_rate(block["fault-rate"], "fault-rate")
            if block.get("fault-rate") is not None
            else None,
            parse_faults(block["faults"]) if block.get("faults") is not None else None,
        )

    def over(self, base: Pacing) -> Pacing:
        """These settings, falling back to ``base`` for what they leave out."""
        return Pacing(
            self.latency if self.latency is not None else base.latency,
            self.error_rate if self.error_rate is not None else base.error_rate,
            self.fault_rate if self.fault_rate is not None else base.fault_rate,
            self.faults if self.faults is not None else base.faults,
        )

    @property
    def idle(self) -> bool:
        """Whether these settings never change an answer."""
        return self.latency is None and not self.error_rate and not self.fault_rate


NO_PACING = Pacing()
