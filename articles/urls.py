from django.urls import include, path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("a/<int:pk>/", views.ArticleDetailView.as_view(), name="detail-short"),
    # <str:slug>: any old slug, whatever its characters, redirects to the current URL.
    path("a/<int:pk>/<str:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("category/<path:path>/", views.CategoryView.as_view(), name="category"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("entity/<str:slug>/", views.EntityView.as_view(), name="entity"),
    path("source/<str:slug>/", views.SourceView.as_view(), name="source"),
    path("author/<str:slug>/", views.AuthorView.as_view(), name="author"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<int:year>/", views.ArchiveView.as_view(), name="archive-year"),
    path("archive/<int:year>/<int:month>/", views.ArchiveView.as_view(), name="archive-month"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/", include("articles.feed_urls")),
]
