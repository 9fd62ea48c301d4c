"""Download one remote image, safely: the only place Newsroom opens a connection it was told to.

Rules, checked on every hop of a redirect chain:
- ``http`` and ``https`` only, no credentials in the URL, at most ``max_redirects`` redirects;
- the host is resolved once and every address it resolves to must be public (not private,
  loopback, link-local, shared, reserved, multicast or unspecified; for IPv6, neither may any
  IPv4 address it embeds: mapped, compatible, NAT64, 6to4, Teredo), unless ``host`` or
  ``host:port`` is in the allowed hosts; the connection then goes to the address that was
  checked, so a second DNS answer cannot point it elsewhere (DNS rebinding);
- connecting is bounded by ``connect_timeout`` and the whole download, every hop included, by
  ``total_timeout`` (a watchdog closes the socket of a server that trickles bytes);
- the body is read in chunks and abandoned as soon as it passes ``max_bytes``.

Pure standard library; no Django. ``FetchLimits.from_settings()`` reads the ``NEWSROOM_IMAGE_*``
settings.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

USER_AGENT = "NewsroomImageFetcher/1.0 (+https://github.com/; republished news archive)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A download that did not produce an image's bytes; ``code`` is short and stable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 5.0
    total_timeout: float = 30.0
    max_redirects: int = 3
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, **overrides) -> "FetchLimits":
        from django.conf import settings

        values = {
            "max_bytes": settings.NEWSROOM_IMAGE_MAX_BYTES,
            "connect_timeout": settings.NEWSROOM_IMAGE_CONNECT_TIMEOUT,
            "total_timeout": settings.NEWSROOM_IMAGE_TIMEOUT,
            "max_redirects": settings.NEWSROOM_IMAGE_MAX_REDIRECTS,
            "allowed_hosts": frozenset(
                h.strip().lower() for h in settings.NEWSROOM_IMAGE_ALLOWED_HOSTS if h.strip()
            ),
        }
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    data: bytes
    content_type: str
    redirects: int


# IPv6 prefixes whose last 32 bits are the IPv4 address a packet ends up at: IPv4-compatible
# (deprecated; some stacks still route it), SIIT-translated, and the NAT64 well-known prefix.
_LAST_32_BITS = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# NAT64 local use (RFC 8215): the operator chooses the prefix length, so where the IPv4 address
# sits cannot be known from outside; it is never globally reachable anyway.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a connection to ``ip`` may reach through a translator or tunnel.

    IPv4-mapped and -compatible, SIIT and NAT64 (the last 32 bits), 6to4 (bits 16-48) and
    Teredo (the server, bits 32-64, and the client, the last 32 bits inverted).
    """
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if any(ip in network for network in _LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _is_global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP literal) is on the public internet.

    An IPv6 address is public only if it is, and so is every IPv4 address it carries: a
    translator or tunnel would otherwise take ``64:ff9b::a9fe:a9fe`` to 169.254.169.254.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        return _is_global(ip) and all(_is_global(v4) for v4 in embedded_ipv4(ip))
    return _is_global(ip)


def _host_key(host: str, port: int) -> tuple[str, str]:
    shown = f"[{host}]" if ":" in host else host
    return shown.lower(), f"{shown}:{port}".lower()


def _resolve(host: str, port: int, *, check: bool) -> str:
    """The address to connect to; with ``check``, refuse unless every address is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"无法解析主机 {host}：{exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError("dns", f"无法解析主机 {host}")
    if check:
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(
                    "ssrf",
                    f"拒绝访问内网或保留地址 {host} → {address}（防止服务端请求伪造；"
                    "确需访问请把主机加入 NEWSROOM_IMAGE_ALLOWED_HOSTS）",
                )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever the host name resolves to now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _Watchdog:
    """Shut a connection's socket down when the deadline passes, waking a blocked read."""

    def __init__(self, conn, seconds: float):
        self.fired = False
        self._conn = conn
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def _fire(self):
        self.fired = True
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of ``url``, or FetchError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("url", f"网址无效：{url[:200]}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("scheme", f"只下载 http/https 图片，不接受 {scheme or '无协议'} 网址")
    if parts.username is not None or parts.password is not None:
        raise FetchError("url", "网址中含用户名或密码，拒绝下载")
    host = parts.hostname
    if not host:
        raise FetchError("url", f"网址缺少主机名：{url[:200]}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def fetch(url: str, limits: FetchLimits | None = None) -> Fetched:
    """Download ``url`` within ``limits``; raise FetchError with the reason otherwise."""
    limits = limits or FetchLimits()
    deadline = time.monotonic() + limits.total_timeout
    current = url
    for hop in range(limits.max_redirects + 1):
        scheme, host, port, path = _target(current)
        allowed = not limits.allowed_hosts.isdisjoint(_host_key(host, port))
        address = _resolve(host, port, check=not allowed)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"下载超时（{limits.total_timeout:g} 秒）")
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        conn = connection_class(host, port, address, timeout=min(limits.connect_timeout, remaining))
        watchdog = _Watchdog(conn, remaining)
        try:
            with watchdog:
                location, fetched = _exchange(conn, path, limits, deadline)
        except FetchError:
            if watchdog.fired:  # e.g. "incomplete": the watchdog cut the body short
                raise FetchError("timeout", f"下载超时（{limits.total_timeout:g} 秒）") from None
            raise
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.fired or time.monotonic() >= deadline or isinstance(exc, TimeoutError):
                raise FetchError("timeout", f"下载超时（{limits.total_timeout:g} 秒）") from exc
            if isinstance(exc, ssl.SSLError):
                raise FetchError("tls", f"TLS 错误：{exc}") from exc
            raise FetchError("connect", f"连接失败：{type(exc).__name__}: {exc}") from exc
        finally:
            conn.close()
        if watchdog.fired:  # the socket was shut: what was read is cut short
            raise FetchError("timeout", f"下载超时（{limits.total_timeout:g} 秒）")
        if location is None:
            return Fetched(url, current, fetched[0], fetched[1], hop)
        current = urljoin(current, location)
    raise FetchError("redirects", f"重定向过多（超过 {limits.max_redirects} 次）")


def _exchange(conn, path: str, limits: FetchLimits, deadline: float):
    """One request: (redirect location, None) or (None, (body, content type))."""
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.putheader("User-Agent", USER_AGENT)
    conn.putheader("Accept", "image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5")
    conn.putheader("Accept-Encoding", "identity")
    conn.endheaders()
    conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
    response = conn.getresponse()
    if response.status in REDIRECTS:
        location = response.getheader("Location")
        if not location:
            raise FetchError("http", f"HTTP {response.status} 重定向缺少 Location")
        return location.strip(), None
    if response.status != 200:
        raise FetchError("http", f"HTTP {response.status} {response.reason}".strip())
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > limits.max_bytes:
        raise FetchError("too-large", f"图片过大：{int(length)} 字节，上限 {limits.max_bytes} 字节")
    chunks, size = [], 0
    while True:
        if time.monotonic() >= deadline:
            raise FetchError("timeout", f"下载超时（{limits.total_timeout:g} 秒）")
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError("too-large", f"图片过大：超过上限 {limits.max_bytes} 字节")
        chunks.append(chunk)
    if length and length.strip().isdigit() and size < int(length):
        raise FetchError("incomplete", f"连接中断：只收到 {size} / {int(length)} 字节")
    content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
    return None, (b"".join(chunks), content_type)
