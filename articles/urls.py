from django.urls import include, path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("a/<int:pk>/", views.ArticleDetailView.as_view(), name="detail-short"),
    path("a/<int:pk>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("category/<path:path>/", views.CategoryView.as_view(), name="category"),
    path("tag/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("entity/<slug:slug>/", views.EntityView.as_view(), name="entity"),
    path("source/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("feeds/", include("articles.feed_urls")),
]
