"""The proxy's way to the provider: one kept-alive HTTP client per worker process.

The hop is the proxy's main cost, so it gets the cheapest well-kept client measured here:
aiohttp (its C HTTP parser on plain asyncio streams). Per forwarded request on this
machine, httpx's ``AsyncClient`` spent 1.0 ms of CPU (0.65 ms with ``sniffio`` installed;
without it httpcore tries that import on every call), aiohttp 0.14 ms. aiohttp is imported
only when a provider is named, so a plain mock does not pay its import at start-up.

The client adds nothing of its own to what is forwarded (no ``User-Agent``, ``Accept``,
``Accept-Encoding`` or ``Content-Type`` the client did not send), keeps no cookies
between requests (each client's cookies are its own), follows no redirect, reads no proxy
from the environment, and leaves compressed bodies compressed. A provider that does not
answer becomes :class:`ProviderDown`: 504 when it timed out, 502 otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiohttp

#: Headers a client library would add on its own; only the client's own are forwarded.
NOT_ADDED = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
#: The longest provider header line read (aiohttp's default is 8 KiB).
MAX_HEADER_BYTES = 64 * 1024


class ProviderDown(Exception):
    """The provider did not answer: the status to answer with (502, 504) and why."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why


@dataclass
class Reply:
    """The provider's answer: status, headers (a case-insensitive mapping, and as they came),
    the body read so far, and the rest when the body is longer than the proxy holds."""

    status: int
    headers: Mapping[str, str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    rest: AsyncIterator[bytes] | None = None
    _response: aiohttp.ClientResponse | None = field(default=None, repr=False)

    async def close(self) -> None:
        """Give the connection back when the body was read whole, else close it."""
        response = self._response
        if response is not None:
            if response.content.is_eof():
                response.release()
            else:
                response.close()


class Upstream:
    """One worker's client for every provider, made on first use inside its event loop."""

    def __init__(self, timeout: float, max_held: int) -> None:
        self.timeout = timeout
        self.max_held = max_held
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The worker's session (connections kept alive, no limit on how many)."""
        if self._session is None:
            import aiohttp  # noqa: PLC0415 (only when a provider is named)

            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(connect=self.timeout, sock_read=self.timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=NOT_ADDED,
                max_line_size=MAX_HEADER_BYTES,
                max_field_size=MAX_HEADER_BYTES,
            )
        return self._session

    async def aclose(self) -> None:
        """Close the worker's connections to the providers."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """Forward one request; raises :class:`ProviderDown` when no answer comes."""
        import aiohttp  # noqa: PLC0415 (only when a provider is named)
        from yarl import URL  # noqa: PLC0415 (aiohttp's URLs)

        try:
            response = await self.session().request(
                method, URL(url, encoded=True), headers=headers, data=body or None,
                allow_redirects=False,
            )  # fmt: skip
            return await self._read(response)
        except TimeoutError:
            raise ProviderDown(504, f"timed out after {self.timeout:g} s") from None
        except aiohttp.ClientError as error:
            raise ProviderDown(502, _failure(error)) from None

    async def _read(self, response: aiohttp.ClientResponse) -> Reply:
        """The whole body when it is at most ``max_held`` bytes, else that much and the rest."""
        raw, status, headers = response.raw_headers, response.status, response.headers
        length = response.content_length
        if length is not None and length <= self.max_held:
            return Reply(status, headers, raw, await response.read())
        chunks: list[bytes] = []
        size = 0
        stream = response.content.iter_any()
        try:
            async for chunk in stream:
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_held:
                    return Reply(status, headers, raw, b"".join(chunks), stream, response)
        except BaseException:
            response.close()
            raise
        response.release()
        return Reply(status, headers, raw, b"".join(chunks))


def _failure(error: aiohttp.ClientError) -> str:
    """What went wrong, in a few words for the problem's detail."""
    import aiohttp  # noqa: PLC0415 (only when a provider is named)

    if isinstance(error, aiohttp.ClientConnectorError):
        return f"refused the connection ({error})"
    cut = aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientOSError
    if isinstance(error, cut):
        return f"closed the connection without a complete answer ({error})"
    return f"could not be reached ({type(error).__name__}: {error})"
