from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "内容"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles import auth  # noqa: F401 - registers the login-failure receiver
        from articles.caching import connect_invalidation

        connect_invalidation()

        from newsroom import sqlite_files

        sqlite_files.connect()
