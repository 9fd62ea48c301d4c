"""The article changelist's list filters (``articles.admin.filters``), with its search."""

import pytest

from tests.admin_support import (
    CHANGELIST,
    admin_settings,  # noqa: F401 (autouse fixture)
    editor_fixture,  # noqa: F401 (fixture "editor")
    three_states_fixture,  # noqa: F401 (fixture "three_states")
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("state=draft", {"还是草稿"}),
        ("state=scheduled", {"定时的文章"}),
        ("state=published", {"已经公开的文章"}),
        ("mentions=flagged", {"已经公开的文章"}),
        ("mentions=none", {"定时的文章", "还是草稿"}),
        ("warnings=yes", {"已经公开的文章"}),
        ("warnings=no", {"定时的文章", "还是草稿"}),
        ("q=IT之家", {"已经公开的文章"}),
        ("q=淘宝", {"已经公开的文章"}),
        ("q=36kr", {"定时的文章"}),
        ("q=张三", {"已经公开的文章", "定时的文章", "还是草稿"}),  # original author
    ],
)
def test_article_changelist_filters_and_search(client, editor, three_states, query, titles):
    client.force_login(editor)
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert {a.title for a in response.context["cl"].result_list} == titles
