"""Security headers Django 5.2 does not set itself: CSP and Permissions-Policy."""

from django.conf import settings


def content_security_policy(request) -> str:
    """No inline script and no third-party script, style or frame; remote images only over
    https (hotlinked article images until they are localized)."""
    img = "'self' https:" if getattr(settings, "NEWSROOM_CSP_REMOTE_IMAGES", True) else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {img}",
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

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        return response
