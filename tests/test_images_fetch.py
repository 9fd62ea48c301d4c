"""The safe downloader against a real HTTP server on 127.0.0.1 (no mocks)."""

import socket
import time

import pytest

from articles.images.fetch import FetchError, FetchLimits, fetch, is_public_address
from tests import image_server as served
from tests.image_server import HTML_PAGE, jpeg

image_server = pytest.fixture(served.image_server)


def limits(server, **overrides) -> FetchLimits:
    values = {
        "max_bytes": 200_000,
        "connect_timeout": 1.0,
        "total_timeout": 1.0,
        "max_redirects": 3,
        "allowed_hosts": frozenset({server.host}),
    }
    return FetchLimits(**{**values, **overrides})


def refused(url, fetch_limits) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, fetch_limits)
    return info.value


def test_fetch_downloads_an_allowed_host(image_server):
    data = jpeg()
    url = image_server.serve("/a.jpg", data)
    fetched = fetch(url, limits(image_server))
    assert fetched.data == data
    assert fetched.content_type == "image/jpeg"
    assert (fetched.final_url, fetched.redirects) == (url, 0)


def test_fetch_allows_a_host_listed_without_its_port(image_server):
    url = image_server.serve("/a.jpg", jpeg())
    assert fetch(url, limits(image_server, allowed_hosts=frozenset({"127.0.0.1"}))).data


def test_fetch_refuses_loopback_unless_allowed(image_server):
    url = image_server.serve("/a.jpg", jpeg())
    error = refused(url, limits(image_server, allowed_hosts=frozenset()))
    assert error.code == "ssrf"
    assert "127.0.0.1" in error.message
    assert image_server.hits["/a.jpg"] == 0  # refused before connecting


def test_fetch_refuses_a_name_that_resolves_to_loopback(image_server):
    url = f"http://localhost:{image_server.port}/a.jpg"
    image_server.serve("/a.jpg", jpeg())
    assert refused(url, limits(image_server)).code == "ssrf"  # only 127.0.0.1:port is allowed
    assert image_server.hits["/a.jpg"] == 0


def test_fetch_follows_a_few_redirects(image_server):
    data = jpeg()
    image_server.serve("/final.jpg", data)
    image_server.add("/hop2", "redirect", "/final.jpg", 301)
    image_server.add("/hop1", "redirect", "{base}/hop2", 307)
    fetched = fetch(image_server.url("/hop1"), limits(image_server))
    assert fetched.data == data
    assert fetched.redirects == 2
    assert fetched.final_url == image_server.url("/final.jpg")


def test_fetch_stops_a_redirect_loop(image_server):
    image_server.add("/loop-a", "redirect", "/loop-b")
    image_server.add("/loop-b", "redirect", "/loop-a")
    error = refused(image_server.url("/loop-a"), limits(image_server))
    assert error.code == "redirects"
    assert image_server.hits["/loop-a"] + image_server.hits["/loop-b"] == 4  # 1 + 3 redirects


def test_fetch_checks_every_redirect_target_against_ssrf_rules(image_server):
    image_server.serve("/a.jpg", jpeg())
    image_server.add("/away", "redirect", f"http://localhost:{image_server.port}/a.jpg")
    assert refused(image_server.url("/away"), limits(image_server)).code == "ssrf"
    assert image_server.hits["/a.jpg"] == 0


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://example.com/x.jpg", "gopher://127.0.0.1:6379/_INFO"],
)
def test_fetch_refuses_redirects_to_other_schemes(image_server, location):
    image_server.add("/away", "redirect", location)
    assert refused(image_server.url("/away"), limits(image_server)).code == "scheme"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.com/a.jpg", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("data:image/png;base64,AAAA", "scheme"),
        ("/relative.jpg", "scheme"),
        ("http://user:pass@example.com/a.jpg", "url"),
        ("http://example.com:99999/a.jpg", "url"),
        ("http:///a.jpg", "url"),
        ("http://169.254.169.254/latest/meta-data/", "ssrf"),
        ("http://10.0.0.1/a.jpg", "ssrf"),
        ("http://[::1]/a.jpg", "ssrf"),
        ("http://0.0.0.0/a.jpg", "ssrf"),
        ("http://2130706433/a.jpg", "ssrf"),  # 127.0.0.1 as one number
    ],
)
def test_fetch_refuses_urls_before_any_connection(url, code):
    assert refused(url, FetchLimits(total_timeout=1.0)).code == code


def test_fetch_reports_http_errors(image_server):
    error = refused(image_server.url("/missing.jpg"), limits(image_server))
    assert (error.code, error.message) == ("http", "HTTP 404 Not Found")
    image_server.add("/boom", "status", 500)
    assert refused(image_server.url("/boom"), limits(image_server)).message.startswith("HTTP 500")


def test_fetch_refuses_a_declared_oversized_body(image_server):
    url = image_server.serve("/big.jpg", b"\xff" * 300_000)
    error = refused(url, limits(image_server))
    assert error.code == "too-large" and "300000" in error.message


def test_fetch_stops_reading_an_undeclared_oversized_body(image_server):
    image_server.add("/endless.jpg", "unsized", b"\xff" * 300_000)
    assert refused(image_server.url("/endless.jpg"), limits(image_server)).code == "too-large"


def test_fetch_reads_a_body_without_content_length(image_server):
    data = jpeg()
    image_server.add("/unsized.jpg", "unsized", data)
    assert fetch(image_server.url("/unsized.jpg"), limits(image_server)).data == data


def test_fetch_gives_up_on_a_slow_body(image_server):
    image_server.add("/slow.jpg", "slow", 0.05, 5)
    started = time.monotonic()
    error = refused(image_server.url("/slow.jpg"), limits(image_server))
    assert error.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_fetch_gives_up_on_headers_that_never_end(image_server):
    image_server.add("/slow-headers.jpg", "slow-headers", 0.05, 5)
    started = time.monotonic()
    error = refused(image_server.url("/slow-headers.jpg"), limits(image_server))
    assert error.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_fetch_reports_a_refused_connection(image_server):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/a.jpg"
    error = refused(url, limits(image_server, allowed_hosts=frozenset({f"127.0.0.1:{port}"})))
    assert error.code == "connect"


def test_fetch_reports_an_unknown_host():
    error = refused("http://no-such-host.invalid/a.jpg", FetchLimits(total_timeout=1.0))
    assert error.code == "dns"


def test_fetch_returns_whatever_bytes_came_for_pillow_to_judge(image_server):
    # The downloader does not trust Content-Type either way; verification is Pillow's job.
    url = image_server.serve("/fake.jpg", HTML_PAGE, "image/jpeg")
    assert fetch(url, limits(image_server)).data == HTML_PAGE


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.9.9.9", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:0001::1", False),  # 6to4 of 127.0.0.1
        ("fe80::1%eth0", False),
    ],
)
def test_is_public_address(address, public):
    assert is_public_address(address) is public


# IPv6 addresses that carry an IPv4 address, and what that IPv4 address is.
@pytest.mark.parametrize(
    ("address", "public"),
    [
        # IPv4-mapped ::ffff:a.b.c.d
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:100.64.0.1", False),
        ("::ffff:224.0.0.1", False),
        ("::ffff:240.0.0.1", False),
        ("::ffff:0.0.0.0", False),
        ("::ffff:8.8.8.8", True),
        # IPv4-compatible ::a.b.c.d (deprecated, still parsed and routed by some stacks)
        ("::127.0.0.1", False),
        ("::a9fe:a9fe", False),  # 169.254.169.254, cloud metadata
        ("::10.0.0.1", False),
        ("::100.64.0.1", False),
        ("::224.0.0.1", False),
        # SIIT ::ffff:0:a.b.c.d
        ("::ffff:0:127.0.0.1", False),
        ("::ffff:0:a9fe:a9fe", False),
        # NAT64 well-known prefix 64:ff9b::/96: the gateway connects to the last 32 bits
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b::c0a8:101", False),
        ("64:ff9b::6440:1", False),  # 100.64.0.1
        ("64:ff9b::e000:1", False),  # 224.0.0.1
        ("64:ff9b::808:808", True),
        # NAT64 local-use 64:ff9b:1::/48: where the IPv4 sits is the operator's choice
        ("64:ff9b:1::a9fe:a9fe", False),
        ("64:ff9b:1:a9fe:a9fe::", False),
        ("64:ff9b:1::808:808", False),
        # 6to4 2002::/16: bits 16-48
        ("2002:7f00:1::1", False),
        ("2002:c0a8:0101::1", False),
        ("2002:a9fe:a9fe::1", False),
        ("2002:6440:1::1", False),
        ("2002::1", False),  # 0.0.0.0
        ("2002:0808:0808::1", True),
        # Teredo 2001::/32: server IPv4 in bits 32-64, client IPv4 the last 32 bits XOR 1s
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # client 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:5601:5601", False),  # client 169.254.169.254
        ("2001:0:a00:1:8000:63bf:f7f7:f7f7", False),  # server 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", False),  # both public: 2001::/23 is not
        # plain public IPv6 still passes
        ("2606:4700:4700::1111", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_is_public_address_judges_the_ipv4_inside_ipv6(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "host",
    ["::ffff:127.0.0.1", "::127.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"],
)
def test_fetch_refuses_ipv6_literals_reaching_loopback_before_connecting(image_server, host):
    url = f"http://[{host}]:{image_server.port}/a.jpg"
    image_server.serve("/a.jpg", jpeg())
    error = refused(url, limits(image_server, total_timeout=0.5, connect_timeout=0.5))
    assert error.code == "ssrf", error.message
    assert host in error.message
    assert image_server.hits["/a.jpg"] == 0


def test_fetch_reaches_the_server_through_a_mapped_address_only_when_allowed(image_server):
    # The control: on this host ::ffff:127.0.0.1 does reach the IPv4 server, so refusing it
    # is what stands between a URL and the loopback interface.
    host = "[::ffff:127.0.0.1]"
    image_server.serve("/a.jpg", jpeg())
    url = f"http://{host}:{image_server.port}/a.jpg"
    assert refused(url, limits(image_server)).code == "ssrf"
    assert image_server.hits["/a.jpg"] == 0
    assert fetch(url, limits(image_server, allowed_hosts=frozenset({host}))).data == jpeg()
    assert image_server.hits["/a.jpg"] == 1
