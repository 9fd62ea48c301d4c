"""Response headers Django 5.2 does not set itself, read-only public URLs, and a calm answer
when the database is down."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template import loader

log = logging.getLogger(__name__)


def content_security_policy() -> str:
    """No inline script or style and no third-party origin; images may also come from the
    remote CDNs listed in settings, for articles whose images are not localized yet."""
    images = " ".join(["'self'", *settings.NEWSROOM_CSP_IMAGE_SOURCES])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        )
        return response


class RefuseNulMiddleware:
    """A NUL byte in the path or the query string is a 400; a cookie holding one is dropped.

    PostgreSQL refuses NUL in a text parameter, so any of them reaching a query (a slug, the
    admin's search and filters, a session key) was a 500. No URL of the site has one. A cookie
    is dropped rather than refused: a browser holding a broken cookie could not recover from
    a 400 on every page. Form fields need nothing here: Django's form fields refuse NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL")
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        return self.get_response(request)


READ_METHODS = ("GET", "HEAD")
# The only URLs that take writes. Everything else is read-only, so a URL added later is too
# until someone decides otherwise here.
WRITABLE_NAMESPACES = frozenset({"admin"})


class ReadOnlyMethodsMiddleware:
    """Public URLs (reader pages, feeds, sitemaps, robots.txt, media, the preview) answer GET
    and HEAD only; any other method gets an empty 405 with ``Allow: GET, HEAD``.

    Views would otherwise answer TRACE or OPTIONS with the page itself, and the CSRF check
    would answer POST, PUT or DELETE with a 403 page. It works in ``process_view`` (the URL
    is resolved by then) and must come before ``CsrfViewMiddleware`` in ``MIDDLEWARE`` so
    that its 405 wins; the page cache, a view decorator, never sees these requests.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in READ_METHODS:
            return None
        namespaces = request.resolver_match.namespaces
        if namespaces and namespaces[0] in WRITABLE_NAMESPACES:
            return None
        return HttpResponseNotAllowed(READ_METHODS)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain page when the database cannot be reached, instead of a 500
    traceback; Django drops the broken connection at the end of the request, so the site
    recovers by itself once the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if isinstance(exception, DatabaseError) and _is_data_error(exception):
            return None
        log.error("database unavailable: %s", exception)
        body = loader.render_to_string("503.html", {"site_name": settings.NEWSROOM_SITE_NAME})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response


def _is_data_error(exception: DatabaseError) -> bool:
    # SQLite reports "database is locked" and real query mistakes as OperationalError too;
    # only connection-level failures mean "unavailable".
    text = str(exception).lower()
    return "no such table" in text or "syntax error" in text
