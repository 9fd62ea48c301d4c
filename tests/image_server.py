"""A real HTTP server on 127.0.0.1 for the image tests, and the images it serves.

Every image is generated with Pillow here; nothing is mocked. ``ImageServer.routes`` maps a
path to what the server does; ``hits`` counts requests per path. A test module declares the
fixtures it uses::

    image_server = pytest.fixture(served.image_server)
    image_settings = pytest.fixture(served.image_settings)
"""

import io
import struct
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

# Images


def jpeg(width=200, height=100, *, orientation=None, color="red", exif_extra=None) -> bytes:
    """A JPEG, left half ``color`` and right half blue, optionally with EXIF orientation."""
    image = Image.new("RGB", (width, height), color)
    image.paste("blue", (width // 2, 0, width, height))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    for tag, value in (exif_extra or {}).items():
        exif[tag] = value
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png(width=120, height=80, *, alpha=True) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (0, 128, 0, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width=640, height=480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "WEBP")
    return out.getvalue()


def animated_gif(width=60, height=40, frames=3) -> bytes:
    colors = ["red", "green", "blue", "yellow", "white", "black"]
    images = [Image.new("RGB", (width, height), colors[i % 6]) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    return out.getvalue()


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels: a few hundred bytes on the wire.

    Nothing must decode it: the pixel check reads the header and stops.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4)  # the first rows only
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = jpeg(400, 300)
    return data[: len(data) // 2]


HTML_PAGE = b"<!doctype html><html><body><h1>Not an image</h1></body></html>"


# Server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server.owner
        path = self.path.split("?", 1)[0]
        with server.lock:
            server.hits[path] += 1
        route = server.routes.get(path)
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        kind, *args = route
        if kind == "bytes":
            self._send(200, args[0], args[1])
        elif kind == "redirect":
            location = args[0].format(base=server.base)
            self.send_response(args[1] if len(args) > 1 else 302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif kind == "status":
            self._send(args[0], b"error", "text/plain")
        elif kind == "slow":  # a byte every ``args[0]`` seconds, for ``args[1]`` seconds
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self._trickle(args[0], args[1])
        elif kind == "slow-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self._trickle(args[0], args[1], b"X-Slow: y\r\n")
        elif kind == "unsized":  # no Content-Length: the body ends when the connection does
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(args[0])
            self.close_connection = True

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, every, seconds, piece=b"\xff"):
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop and not self.server.owner.closing.is_set():
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(every)
        except OSError:
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that give up early (size and time limits) are what the tests do


class ImageServer:
    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.hits: Counter = Counter()
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.host}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, *route) -> str:
        self.routes[path] = route
        return self.url(path)

    def serve(self, path: str, data: bytes, content_type: str = "image/jpeg") -> str:
        return self.add(path, "bytes", data, content_type)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def image_server():
    """Fixture: a started ImageServer, stopped afterwards."""
    server = ImageServer().start()
    yield server
    server.stop()


def image_settings(settings, image_server, tmp_path):
    """Fixture: media in a temporary directory, the test server allowed, short limits."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NEWSROOM_IMAGE_ALLOWED_HOSTS = [image_server.host]
    settings.NEWSROOM_IMAGE_TIMEOUT = 1.0
    settings.NEWSROOM_IMAGE_CONNECT_TIMEOUT = 1.0
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1_000_000
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 4_000_000
    settings.NEWSROOM_IMAGE_MAX_REDIRECTS = 3
    settings.NEWSROOM_IMAGE_WIDTHS = [480, 960, 1440]
    return settings
