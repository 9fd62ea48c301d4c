"""Failed admin logins, counted where every server process sees them (``articles.auth``)."""

from django.db import models


class LoginFailure(models.Model):
    """Failures for one account or one address within a window that ends at ``expires_at``.

    One row per key, counted in place; a row past ``expires_at`` locks nothing and its key
    starts a new window on the next failure. Only used when the login throttle keeps its
    counts in the database (``NEWSROOM_LOGIN_THROTTLE_STORE = "db"``).
    """

    key = models.CharField("键", max_length=100, unique=True)
    count = models.PositiveIntegerField("失败次数", default=0)
    first_at = models.DateTimeField("首次失败")
    last_at = models.DateTimeField("最近失败")
    expires_at = models.DateTimeField("解除时间")

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="loginfailure_expires_idx")]
        verbose_name = "登录失败"
        verbose_name_plural = "登录失败"

    def __str__(self):
        return f"{self.key}: {self.count}"
