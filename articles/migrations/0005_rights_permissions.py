"""Licences and the logs for the editorial groups.

编辑 (Editor) sees licences, the takedown log and the editorial log; 发布者 (Publisher) also
files, changes and deletes licences (takedown is the article's publish permission).
"""

from django.db import migrations

EDITOR = "编辑"
PUBLISHER = "发布者"
SEEN = ["licence", "takedown", "editoriallog"]
PUBLISHER_LICENCE = ["add_licence", "change_licence", "delete_licence"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    seen = Permission.objects.filter(
        content_type__app_label="articles", codename__in=[f"view_{m}" for m in SEEN]
    )
    licence = Permission.objects.filter(
        content_type__app_label="articles", codename__in=PUBLISHER_LICENCE
    )
    for group in Group.objects.filter(name__in=[EDITOR, PUBLISHER]):
        group.permissions.add(*seen)
        if group.name == PUBLISHER:
            group.permissions.add(*licence)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_rights")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
