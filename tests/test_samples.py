"""The sample content: written for the project, loaded by ``manage.py load_samples``."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.ingest import parse_article
from articles.ingest.body import is_markdown
from articles.ingest.document import split_front_matter
from articles.models import (
    Article,
    Category,
    EditorialLog,
    Entity,
    Licence,
    LocalImage,
    Mention,
    Source,
)
from articles.samples import (
    LICENCES_FILE,
    SAMPLES_DIR,
    SampleError,
    apply_licences,
    import_samples,
)

SAMPLE_FILES = sorted(SAMPLES_DIR.glob("*.md"))
# Any URL but the reserved example domains (RFC 2606), which stand for an original's link.
URL = re.compile(r"https?://(?!(?:[\w-]+\.)*example\.(?:com|org|net)/)", re.IGNORECASE)
# Text of the credit lines that must not survive in a body once they are lifted out.
CREDIT_LEFTOVERS = (
    "本文来自",
    "本文转载自",
    "站经授权",
    "m经授权",
    "译者：",
    "文｜",
    "（示例科技日报）",
)


@pytest.fixture(scope="module")
def parsed():
    return {path.name: parse_article(path.name, path.read_bytes()) for path in SAMPLE_FILES}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load_samples() -> str:
    out = io.StringIO()
    call_command("load_samples", stdout=out)
    return out.getvalue()


def _stored(url: str, media: Path) -> Path:
    """The file a local media URL (absolute or not) names."""
    path = url.removeprefix(settings.NEWSROOM_SITE_URL)
    assert path.startswith(settings.MEDIA_URL), url
    return media / path.removeprefix(settings.MEDIA_URL)


def test_samples_are_about_eight_files() -> None:
    assert 6 <= len(SAMPLE_FILES) <= 12


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name[:24])
def test_sample_file_has_no_remote_url(path: Path) -> None:
    # The site must work offline, and nothing here may point at a real outlet.
    assert not URL.search(path.read_text(encoding="utf-8"))


def test_sample_files_parse_without_warnings_but_flagged_links(parsed) -> None:
    for name, article in parsed.items():
        assert article.body and article.published_at is not None, name
        assert all("实体链接存疑" in w for w in article.warnings), (name, article.warnings)


def test_sample_files_cover_every_credit_style(parsed) -> None:
    credits = [a.attribution for a in parsed.values()]
    given = [c for c in credits if c is not None]
    wechat = [c for c in given if c.channel == "wechat"]
    assert len({c.account_id for c in wechat if c.account_id}) >= 2  # two accounts, with ids
    assert any(c.authorized and c.republisher for c in wechat)  # "…经授权发布/转载"
    assert any(len(c.authors) >= 2 for c in given)  # names joined by 、 or spaces
    assert any(c.editors for c in wechat) and any("整理" in c.roles for c in wechat)
    translated = [c for c in given if c.channel == "website"]
    assert translated and translated[0].original_title and "译者" in translated[0].roles
    assert any(c.channel == "media" for c in given)  # a newsflash's trailing "（outlet）"
    assert any(c.outlet and not c.channel for c in given)  # "本文转载自…", channel unknown
    byline_only = [c for c in given if not c.outlet]
    assert byline_only and byline_only[0].authors and byline_only[0].editors  # "文｜…"
    assert None in credits  # our own article with no credit line at all
    raw = "\n".join(c.raw_text for c in given)
    assert "编者按" in raw and "ID：" in raw and "ID:" in raw
    for article in parsed.values():  # every credit line was lifted out of the body
        for leftover in CREDIT_LEFTOVERS:
            assert leftover not in article.body, (article.title, leftover)


def test_sample_files_cover_every_entity_case(parsed) -> None:
    mentions = [(name, m) for name, a in parsed.items() for m in a.mentions]
    files_by_id: dict[str, set[str]] = {}
    for name, m in mentions:
        if m.data_id:
            files_by_id.setdefault(m.data_id, set()).add(name)
    assert max(len(files) for files in files_by_id.values()) >= 3
    ids_by_name: dict[str, set[str]] = {}
    for _, m in mentions:
        if m.data_id:
            ids_by_name.setdefault(m.name, set()).add(m.data_id)
    assert any(len(ids) > 1 for ids in ids_by_name.values())  # one company, two ids
    assert any(m.text != m.name for _, m in mentions)  # anchor text differs from data-name
    assert {m.kind for _, m in mentions} >= {"1", "2"}
    reasons = " ".join(m.reason for _, m in mentions)
    for case in ("data-id", "常用词", "切断了词语", "英文单词", "人名"):
        assert case in reasons, case
    verdicts: dict[str, set[str]] = {}
    for _, m in mentions:
        verdicts.setdefault(m.data_id, set()).add(m.verdict)
    assert any(v == {"linked", "flagged"} for v in verdicts.values())  # context decides
    markdown = [a for a in parsed.values() if is_markdown(split_front_matter(a.raw)[1])]
    assert markdown and any(a.mentions for a in markdown)
    # The 微信 channel link and an author's name linked inside a credit line are no mentions.
    assert not any(m.name in ("微信", "陈默") for _, m in mentions)


@pytest.mark.django_db
def test_load_samples_imports_publishes_and_illustrates_every_file(media) -> None:
    output = load_samples()
    assert output.count("\n") == 1 and f"created {len(SAMPLE_FILES)}" in output
    articles = list(Article.objects.all())
    assert {a.source_file for a in articles} == {str(p) for p in SAMPLE_FILES}
    assert Article.objects.published().count() == len(SAMPLE_FILES)
    for article in articles:
        picture = article.header_picture
        assert picture is not None, article.title
        assert _stored(article.header_image, media).is_file()
        assert _stored(picture["src"], media).is_file()
        assert URL.search(article.body_html) is None, article.title
        assert "/media/samples/" not in article.body_html  # shown from its local renditions
    with_images = [a for a in articles if "<img" in a.body_html]
    assert len(with_images) >= 3 and all("<picture>" in a.body_html for a in with_images)
    assert all('width="1200"' in a.body_html and 'height="675"' in a.body_html for a in with_images)
    linked = Entity.objects.filter(mentions__verdict=Mention.Verdict.LINKED).distinct()
    assert linked and all(e.logo_picture for e in linked)
    assert all(_stored(e.logo_url, media).is_file() for e in linked)
    twice = Entity.objects.canonical().filter(provider_id="9100001").get()
    assert twice.articles.count() >= 3
    assert Entity.objects.get(provider_id="9100011").merged_into == twice
    assert "示例星河数据科技" in twice.aliases
    assert Entity.objects.get(provider_id="name:示例小满跑腿").mentions.get().verdict == "flagged"


@pytest.mark.django_db
def test_load_samples_files_a_licence_for_every_outlet_and_own_article(media, settings) -> None:
    settings.NEWSROOM_REQUIRE_LICENCE = True
    load_samples()
    sources = Source.objects.filter(attributions__isnull=False).distinct()
    assert sources.count() >= 4
    assert all(Licence.objects.filter(source=s).exists() for s in sources)
    flags = set(Licence.objects.filter(source__in=sources).values_list("is_ai_training_allowed"))
    assert flags == {(True,), (False,)}
    own = Article.objects.filter(attribution__source__isnull=True)
    assert own.count() >= 2
    assert all(a.licence.basis == Licence.Basis.OWN for a in own)
    assert not Licence.objects.filter(article__attribution__source__isnull=False).exists()
    # Every article is public even where a licence on file is required.
    assert Article.objects.published().count() == len(SAMPLE_FILES)
    entry = EditorialLog.objects.filter(action="licence").first()
    assert (entry.actor, entry.reason) == ("load_samples", "示例授权")


@pytest.mark.django_db
def test_apply_licences_refuses_an_outlet_without_licence(tmp_path) -> None:
    import_samples()
    text = LICENCES_FILE.read_text(encoding="utf-8").replace('"示例科技日报"', '"别的日报"')
    partial = tmp_path / "licences.json"
    partial.write_text(text, encoding="utf-8")
    with pytest.raises(SampleError, match="示例科技日报.*别的日报"):
        apply_licences(list(Article.objects.all()), partial)


def _state(media: Path) -> dict:
    models = (Article, Entity, Source, Mention, Category, LocalImage, Licence, EditorialLog)
    state = {model.__name__: model.objects.count() for model in models}
    state["files"] = sorted(str(p) for p in media.rglob("*") if p.is_file())
    state["articles"] = list(
        Article.objects.order_by("pk").values_list(
            "pk", "status", "header_image", "body_html", "local_pictures", "updated_at"
        )
    )
    state["logos"] = list(Entity.objects.order_by("pk").values_list("pk", "logo_url"))
    state["licences"] = list(Licence.objects.order_by("pk").values_list("pk", "updated_at"))
    return state


@pytest.mark.django_db
def test_load_samples_twice_changes_nothing(media) -> None:
    load_samples()
    first = _state(media)
    output = load_samples()
    assert f"unchanged {len(SAMPLE_FILES)}" in output
    assert "本次写入 0" in output and "本次登记 0" in output
    assert _state(media) == first
