from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_derived_renderings"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoginFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100, unique=True, verbose_name="键")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="失败次数")),
                ("first_at", models.DateTimeField(verbose_name="首次失败")),
                ("last_at", models.DateTimeField(verbose_name="最近失败")),
                ("expires_at", models.DateTimeField(verbose_name="解除时间")),
            ],
            options={
                "verbose_name": "登录失败",
                "verbose_name_plural": "登录失败",
                "indexes": [models.Index(fields=["expires_at"], name="loginfailure_expires_idx")],
            },
        ),
    ]
