import zipfile
from pathlib import Path

import pytest

from articles.importer import Importer, fingerprint, import_files
from articles.importer import store as store_module
from articles.ingest import InputFile, collect
from articles.models import Article, Attribution, Author, Category, Entity, Mention, Source

FOUNDING = "重磅，淘宝将打通微信支付.md"

pytestmark = pytest.mark.django_db


def _item(data_dir: Path, name: str = FOUNDING, data: bytes | None = None) -> InputFile:
    return InputFile(name, data=data if data is not None else (data_dir / name).read_bytes())


def _hexo(
    title="测试标题", date="2022-03-28 10:42:50", body="<div><p>正文段落，内容充足。</p></div>"
):
    front = f"title: '{title}'\ncategories:\n - 新媒体\n - 测试\nauthor: 36kr\ndate: {date}"
    return f"---\n{front}\n---\n{body}\n".encode()


def test_import_file_creates_article_with_credit_entities_and_category(data_dir):
    result = Importer().import_file(_item(data_dir))

    assert result.status == "created", result.error
    article = Article.objects.get(pk=result.article_id)
    assert article.title == "重磅，淘宝将打通微信支付"
    assert article.status == "draft"
    assert article.published_at.isoformat() == "2022-03-28T02:42:50+00:00"
    assert article.raw == (data_dir / FOUNDING).read_text(encoding="utf-8")
    assert article.category.name_path == ["新媒体", "36kr", "资讯"]
    assert article.author.name == "36kr"
    assert article.header_image.endswith("v2_a3a93e16d4744c2e9cbd6634841c7b6d_img_000")
    assert (article.header_image_width, article.header_image_height) == (820, 1640)
    attribution = article.attribution
    assert attribution.source.name == "IT之家"
    assert attribution.source.channel == Source.Channel.WECHAT
    assert attribution.source.account_id == "ithomenews"
    assert attribution.original_url == "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q"
    assert attribution.roles == {"作者": ["IT之家"]}
    assert attribution.is_authorized
    assert "本文来自" in attribution.raw_text
    assert "本文来自" not in article.body_html
    mentions = list(article.mentions.select_related("entity"))
    assert [m.position for m in mentions] == list(range(len(mentions)))
    assert {m.text for m in mentions} >= {"互联互通", "支付宝", "腾讯"}
    tencent = Entity.objects.get(provider_id="24961")
    assert f'href="{tencent.get_absolute_url()}"' in article.body_html
    assert article.import_fingerprint == fingerprint(article)


def test_import_file_renders_flagged_mentions_as_plain_text(data_dir):
    result = Importer().import_file(_item(data_dir))
    article = Article.objects.get(pk=result.article_id)
    flagged = article.mentions.filter(verdict=Mention.Verdict.FLAGGED).select_related("entity")
    assert flagged.exists(), "找朋[友帮]你 and 淘[宝商]品 cut through words"
    for mention in flagged:
        assert mention.entity.get_absolute_url() not in article.body_html
        assert mention.reason


def test_import_file_same_file_twice_is_unchanged(data_dir):
    first = Importer().import_file(_item(data_dir))
    before = Article.objects.get(pk=first.article_id)

    second = Importer().import_file(_item(data_dir))

    assert second.status == "unchanged"
    assert second.article_id == first.article_id
    after = Article.objects.get(pk=first.article_id)
    assert after.updated_at == before.updated_at
    assert Article.objects.count() == 1
    assert Mention.objects.count() == before.mentions.count()


def test_import_file_changed_file_updates_article(data_dir):
    data = (data_dir / FOUNDING).read_bytes()
    first = Importer().import_file(_item(data_dir, data=data))
    changed = data.replace("重磅，淘宝将打通微信支付".encode(), "淘宝打通微信支付".encode(), 1)

    result = Importer().import_file(_item(data_dir, data=changed))

    assert result.status == "updated"
    article = Article.objects.get(pk=first.article_id)
    assert article.title == "淘宝打通微信支付"
    assert article.slug == "tao-bao-da-tong-wei-xin-zhi-fu"
    assert Article.objects.count() == 1


def test_import_file_editor_change_makes_conflict_and_keeps_edit(data_dir):
    data = (data_dir / FOUNDING).read_bytes()
    first = Importer().import_file(_item(data_dir, data=data))
    article = Article.objects.get(pk=first.article_id)
    article.title = "编辑改过的标题"
    article.save()
    changed = data.replace("不过有点麻烦".encode(), "稍有不便".encode())

    result = Importer().import_file(_item(data_dir, data=changed))

    assert result.status == "conflict"
    assert "编辑" in result.error
    article.refresh_from_db()
    assert article.title == "编辑改过的标题"
    assert "不过有点麻烦" in article.body


def test_import_file_keeps_editor_verdicts_on_update(data_dir):
    data = (data_dir / FOUNDING).read_bytes()
    first = Importer().import_file(_item(data_dir, data=data))
    flagged = Mention.objects.filter(article_id=first.article_id, verdict="flagged").first()
    flagged.verdict = Mention.Verdict.CONFIRMED
    flagged.save()
    changed = data.replace("敬请期待".encode(), "敬请关注".encode())

    result = Importer().import_file(_item(data_dir, data=changed))

    assert result.status == "updated"
    kept = Mention.objects.get(article_id=first.article_id, position=flagged.position)
    assert kept.verdict == Mention.Verdict.CONFIRMED
    article = Article.objects.get(pk=first.article_id)
    assert kept.entity.get_absolute_url() in article.body_html


def test_import_file_dry_run_writes_nothing(data_dir):
    result = Importer(dry_run=True).import_file(_item(data_dir))

    assert result.status == "created"
    assert result.parsed.title == "重磅，淘宝将打通微信支付"
    for model in (Article, Attribution, Author, Category, Entity, Mention, Source):
        assert model.objects.count() == 0, model


def test_import_file_publish_publishes_only_complete_articles(data_dir):
    importer = Importer(publish=True)
    good = importer.import_file(_item(data_dir))
    empty = importer.import_file(_item(data_dir, "00后_整顿_说唱圈.md"))
    undated = importer.import_file(InputFile("undated.md", data=_hexo(date="Invalid Date")))

    assert Article.objects.get(pk=good.article_id).status == "published"
    assert Article.objects.get(pk=empty.article_id).status == "draft"
    assert any("正文为空" in w for w in empty.warnings)
    assert Article.objects.get(pk=undated.article_id).status == "draft"
    assert any("Invalid Date" in w for w in undated.warnings)


def test_import_file_naive_date_is_read_in_shanghai():
    result = Importer().import_file(InputFile("naive.md", data=_hexo(date="2022-03-28 10:42:50")))
    article = Article.objects.get(pk=result.article_id)
    assert article.published_at.isoformat() == "2022-03-28T02:42:50+00:00"


def test_import_file_failure_mid_write_leaves_nothing(data_dir, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "save_mentions", explode)

    result = Importer().import_file(_item(data_dir))

    assert result.status == "failed"
    assert "disk full" in result.error
    for model in (Article, Attribution, Author, Category, Source):
        assert model.objects.count() == 0, model


def test_import_files_batch_reports_each_broken_file_and_imports_the_rest(data_dir):
    items = [
        InputFile("gbk.md", data="---\ntitle: 标题\n---\n正文".encode("gbk")),
        InputFile("nofront.md", data="只有正文".encode()),
        InputFile("notitle.md", data=b"---\ndate: 2022-01-01\n---\nbody"),
        InputFile("badyaml.md", data=b"---\ntitle: [unclosed\n---\nbody"),
        _item(data_dir),
        InputFile("unreadable.md", error="无法读取"),
    ]

    results = list(import_files(items))

    by_file = {r.file: r for r in results}
    assert by_file[FOUNDING].status == "created"
    assert "UTF-8" in by_file["gbk.md"].error
    assert "头信息" in by_file["nofront.md"].error
    assert "标题" in by_file["notitle.md"].error
    assert "YAML" in by_file["badyaml.md"].error
    assert by_file["unreadable.md"].status == "failed"
    assert [r.status for r in results].count("failed") == 5
    assert Article.objects.count() == 1


def test_import_files_same_provider_name_with_new_id_becomes_alias():
    body = (
        '<div><p>据<a class="project-link" data-id="11" data-name="京东" href="#">京东</a>消息，'
        '另一<a class="project-link" data-id="22" data-name="京东" href="#">京东</a>。</p></div>'
    )
    result = Importer().import_file(InputFile("jd.md", data=_hexo(body=body)))

    assert result.status == "created", result.error
    canonical = Entity.objects.get(provider_id="11")
    alias = Entity.objects.get(provider_id="22")
    assert alias.merged_into == canonical
    assert "22" in canonical.aliases
    assert set(Mention.objects.values_list("entity_id", flat=True)) == {canonical.pk}


def test_import_result_report_has_documented_keys(data_dir):
    report = Importer().import_file(_item(data_dir)).report()

    expected = {
        "file", "status", "error", "warnings", "title", "published_at", "categories", "tags",
        "author", "header_image", "source", "entities", "images",
    }  # fmt: skip
    assert expected <= report.keys()
    assert report["source"]["outlet"] == "IT之家"
    assert report["source"]["roles"] == {"作者": ["IT之家"]}
    assert report["entities"][0]["verdict"] in {"linked", "flagged"}
    assert report["images"] == 4


def test_import_files_zip_of_corpus_imports_everything_then_nothing_changes(corpus_dir, tmp_path):
    archive = tmp_path / "corpus.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(corpus_dir.glob("*.md")):
            zf.write(path, f"posts/{path.name}")

    def run():
        return list(import_files(collect([archive], max_bytes=2 * 1024 * 1024), publish=True))

    first = run()
    assert len(first) == 29
    assert [r for r in first if r.status == "failed"] == []
    assert {r.status for r in first} == {"created"}
    second = run()
    assert {r.status for r in second} == {"unchanged"}
    assert Article.objects.count() == 29


@pytest.mark.django_db(transaction=True)
def test_import_many_parallel_matches_serial(data_dir):
    def run(jobs):
        items = collect([data_dir], max_bytes=2 * 1024 * 1024)
        results = list(Importer(publish=True).import_many(items, jobs=jobs))
        rendered = dict(Article.objects.values_list("import_key", "body_html"))
        Article.objects.all().delete()
        return [(r.file, r.status, r.error) for r in results], rendered

    serial = run(1)
    parallel = run(2)

    assert parallel == serial
    assert {status for _, status, _ in serial[0]} == {"created"}


@pytest.mark.django_db
def test_import_many_changes_the_content_version_once_per_batch(data_dir, settings):
    from articles.caching import content_state
    from articles.models import ContentVersion

    # The database store keeps one row per change, so changes can be counted (CI's PostgreSQL
    # pass configures the Redis store, which keeps only the latest).
    settings.NEWSROOM_CONTENT_VERSION_STORE = "db"
    content_state()
    before = ContentVersion.objects.count()
    items = collect([data_dir], max_bytes=2 * 1024 * 1024)
    results = list(Importer(publish=True).import_many(items))
    assert len(results) > 3 and {r.status for r in results} == {"created"}
    assert ContentVersion.objects.count() == before + 1


@pytest.mark.django_db
def test_import_many_stores_the_rendering_made_from_the_parse(data_dir):
    from articles.ingest import render_body
    from articles.rendering import mention_links

    items = collect([data_dir], max_bytes=2 * 1024 * 1024)
    for result in Importer(publish=True).import_many(items):
        article = Article.objects.get(pk=result.article_id)
        if article.body:
            assert article.body_html == result.parsed.body_html, result.file
            assert article.body_html == render_body(article.body, mention_links(article))
