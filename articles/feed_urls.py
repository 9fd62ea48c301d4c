"""Feed URLs, included under /feeds/ by articles/urls.py."""

urlpatterns: list = []
