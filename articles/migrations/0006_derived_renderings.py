from django.db import migrations, models


def fill(apps, schema_editor):
    """Derive the new fields from each stored rendering (the body is not re-rendered)."""
    from articles.rendering import derived

    Article = apps.get_model("articles", "Article")
    rows = Article.objects.exclude(body_html="").only("pk", "body_html")
    for article in rows.iterator(chunk_size=500):
        fields = derived(article.body_html)
        Article.objects.filter(pk=article.pk).update(
            body_opening=fields["body_opening"], feed_html=fields["feed_html"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_rights_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_opening",
            field=models.TextField(blank=True, editable=False, verbose_name="正文开头（纯文本）"),
        ),
        migrations.AddField(
            model_name="article",
            name="feed_html",
            field=models.TextField(blank=True, editable=False, verbose_name="正文（订阅源）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
