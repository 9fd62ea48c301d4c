"""The mention admin (``articles.admin.mentions``): the flagged queue, one-click and bulk
verdicts."""

import pytest
from django.urls import reverse

from articles.models import Mention
from tests.admin_support import (
    EDITOR,
    admin_settings,  # noqa: F401 (autouse fixture)
    editor_fixture,  # noqa: F401 (fixture "editor")
    make_staff,
    three_states_fixture,  # noqa: F401 (fixture "three_states")
)

pytestmark = pytest.mark.django_db


def test_mention_list_starts_with_flagged_and_shows_context(client, editor, three_states):
    client.force_login(editor)
    url = reverse("admin:articles_mention_changelist")
    response = client.get(url)
    assert response.status_code == 302 and "verdict__exact=flagged" in response["Location"]
    page = client.get(response["Location"])
    assert [m.text for m in page.context["cl"].result_list] == ["得到"]
    assert "<mark>得到</mark>" in page.content.decode()


def test_mention_one_click_confirm_and_reject(client, editor, three_states):
    published = three_states[0]
    mention = published.mentions.get(verdict=Mention.Verdict.FLAGGED)
    url = reverse("admin:articles_mention_decide", args=[mention.pk, "confirmed"])
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_mention_changelist") + "?verdict__exact=flagged")
    assert f'formaction="{url}"' in listing.content.decode()

    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_REFERER="http://testserver/admin/articles/mention/?q=x")
    assert response.status_code == 302 and response["Location"].endswith("?q=x")
    mention.refresh_from_db()
    published.refresh_from_db()
    assert mention.verdict == Mention.Verdict.CONFIRMED
    assert f'href="{mention.entity.get_absolute_url()}"' in published.body_html

    client.post(reverse("admin:articles_mention_decide", args=[mention.pk, "rejected"]))
    published.refresh_from_db()
    assert mention.entity.get_absolute_url() not in published.body_html


def test_mention_bulk_reject_and_permission(client, three_states):
    published = three_states[0]
    reader = make_staff("viewer", None)
    client.force_login(reader)
    mention = published.mentions.first()
    url = reverse("admin:articles_mention_decide", args=[mention.pk, "rejected"])
    assert client.post(url).status_code == 403

    client.force_login(make_staff("ed2", EDITOR))
    client.post(
        reverse("admin:articles_mention_changelist"),
        {
            "action": "reject",
            "_selected_action": list(published.mentions.values_list("pk", flat=True)),
        },
    )
    published.refresh_from_db()
    assert set(published.mentions.values_list("verdict", flat=True)) == {"rejected"}
    assert "entity-link" not in published.body_html
