from django.contrib import admin
from django.urls import include, path

from articles import sitemaps, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.section, name="sitemap-section"),
    path("media/<path:name>", views.media_file, name="media"),
    path("", include("articles.urls")),
]

handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
