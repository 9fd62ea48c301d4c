"""Helpers shared by the reading-site tests (views, SEO, sitemaps, caching)."""

from bs4 import BeautifulSoup


def get(client, url, **extra):
    """GET over HTTPS, as production readers do (plain HTTP redirects)."""
    return client.get(url, secure=True, **extra)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")
