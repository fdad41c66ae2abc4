"""An answer ready to send: status, media type, body bytes and headers (and whether the
body is left out, for HEAD)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from starlette.types import Send


@dataclass(frozen=True)
class Answer:
    """A complete HTTP response, as every layer of the server hands it on."""

    status: int
    media_type: str | None
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    #: where the answer came from (dataset, example, generated), for the request journal
    source: str = field(default="", compare=False)
    #: an answer to HEAD: the headers of the answer (its Content-Length too), no body
    bodiless: bool = False

    @functools.cached_property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The headers as ASGI sends them, encoded once (remembered answers reuse them)."""
        encoded = [(header_bytes(k.lower()), header_bytes(v)) for k, v in self.headers]
        if self.media_type:
            encoded.append((b"content-type", header_bytes(self.media_type)))
        encoded.append((b"content-length", str(len(self.body)).encode()))
        return tuple(encoded)

    def with_headers(self, *headers: tuple[str, str]) -> Answer:
        """A copy with ``headers`` added."""
        return Answer(
            self.status,
            self.media_type,
            self.body,
            (*self.headers, *headers),
            self.source,
            self.bodiless,
        )

    def to_head(self) -> Answer:
        """The answer to a HEAD request: the same status and headers, and no body
        (RFC 9110 section 9.3.2); Content-Length still says how long the GET's body is."""
        return replace(self, bodiless=True)

    async def send_to(self, send: Send) -> None:
        """Send the whole answer over ASGI."""
        headers = list(self.raw_headers)  # a copy: outer layers (CORS) may add to it
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if self.bodiless else self.body})


def header_bytes(text: str) -> bytes:
    """``text`` as a header can carry it: visible ASCII and spaces, anything else (a line
    break, a letter beyond Latin-1 in an echoed value or a violation) as ``?``. A header
    the mock writes must never stop the answer from being sent."""
    return "".join(c if " " <= c <= "~" else "?" for c in text).encode("ascii")
