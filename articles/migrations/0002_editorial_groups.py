"""The "publish" permission on articles and the two editorial groups.

编辑 (Editor) imports and edits; 发布者 (Publisher) may also publish, unpublish, schedule and
delete. Permissions are normally created after all migrations (post_migrate); they are created
here first so that the groups can be given them in the same run.
"""

from django.db import migrations

EDITOR = "编辑"
PUBLISHER = "发布者"

EDITOR_PERMISSIONS = [
    ("articles", "article", ("view", "add", "change")),
    ("articles", "attribution", ("view", "add", "change")),
    ("articles", "mention", ("view", "change")),
    ("articles", "entity", ("view", "add", "change")),
    ("articles", "source", ("view", "add", "change")),
    ("articles", "category", ("view", "add", "change")),
    ("articles", "author", ("view", "add", "change")),
    ("taggit", "tag", ("view", "add", "change", "delete")),
    ("taggit", "taggeditem", ("view", "add", "change", "delete")),
]
PUBLISHER_EXTRA = [("articles", "article", ("publish", "delete"))]


def _codenames(spec):
    for app_label, model, actions in spec:
        for action in actions:
            yield app_label, f"{action}_{model}"


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(spec):
        found = []
        for app_label, codename in _codenames(spec):
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*permissions(EDITOR_PERMISSIONS))
    publisher, _ = Group.objects.get_or_create(name=PUBLISHER)
    publisher.permissions.add(*permissions(EDITOR_PERMISSIONS + PUBLISHER_EXTRA))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITOR, PUBLISHER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [("publish_article", "可以发布、撤回和定时发布文章")],
                "verbose_name": "文章",
                "verbose_name_plural": "文章",
            },
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
