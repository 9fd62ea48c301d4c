import json
import shutil
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.importer import fingerprint
from articles.models import Article, EditorialLog, Entity, Licence, Source, Takedown
from tests.factories import make_article, make_source

pytestmark = pytest.mark.django_db

FOUNDING = "重磅，淘宝将打通微信支付.md"


def test_import_articles_prints_summary_and_writes_jsonl_report(data_dir, tmp_path, capsys):
    for name in (FOUNDING, "00后_整顿_说唱圈.md"):
        shutil.copy(data_dir / name, tmp_path / name)
    (tmp_path / "broken.md").write_bytes("---\ntitle: 坏\n---\n".encode("gbk"))
    report = tmp_path / "report.jsonl"

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_articles", str(tmp_path), "--publish", "--report", str(report))

    assert exit_info.value.code == 1  # a failed file makes the batch exit non-zero
    out = capsys.readouterr()
    assert "created         2" in out.out
    assert "failed          1" in out.out
    assert "broken.md" in out.err and "UTF-8" in out.err
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert {line["status"] for line in lines} == {"created", "failed"}
    founding = next(line for line in lines if line["file"].endswith(FOUNDING))
    assert founding["source"]["account_id"] == "ithomenews"
    assert founding["published_at"] == "2022-03-28T02:42:50+00:00"
    assert Article.objects.filter(status="published").count() == 1


def test_import_articles_dry_run_writes_nothing(data_dir, capsys):
    call_command("import_articles", str(data_dir / FOUNDING), "--dry-run")

    assert "created         1" in capsys.readouterr().out
    assert Article.objects.count() == 0


def test_import_articles_second_run_reports_unchanged(data_dir, capsys):
    call_command("import_articles", str(data_dir / FOUNDING))
    capsys.readouterr()
    call_command("import_articles", str(data_dir / FOUNDING))
    assert "unchanged       1" in capsys.readouterr().out


def test_rerender_articles_applies_never_link(data_dir):
    call_command("import_articles", str(data_dir / FOUNDING))
    tencent = Entity.objects.get(provider_id="24961")
    article = Article.objects.get()
    assert tencent.get_absolute_url() in article.body_html
    tencent.is_never_link = True
    tencent.save()

    call_command("rerender_articles")

    article.refresh_from_db()
    assert tencent.get_absolute_url() not in article.body_html
    assert "腾讯" in article.body_html


def test_rerender_articles_reparse_rebuilds_unedited_body_from_raw(data_dir):
    # As if an older importer had produced a poorer body: no editor touched it.
    call_command("import_articles", str(data_dir / FOUNDING))
    article = Article.objects.get()
    article.body, article.body_html = "<p>旧规则</p>", ""
    article.import_fingerprint = fingerprint(article)
    article.save()

    call_command("rerender_articles", "--reparse")

    article.refresh_from_db()
    assert "旧规则" not in article.body
    assert "淘宝" in article.body_html and "<figure>" in article.body_html


def test_rerender_articles_reparse_keeps_editor_body(data_dir):
    call_command("import_articles", str(data_dir / FOUNDING))
    article = Article.objects.get()
    article.body = "<p>编辑重写的正文</p>"
    article.save()

    call_command("rerender_articles", "--reparse")

    article.refresh_from_db()
    assert article.body == "<p>编辑重写的正文</p>"
    assert article.body_html == "<p>编辑重写的正文</p>"


def test_makemigrations_has_nothing_to_do():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# takedown ----------------------------------------------------------------------------------


def test_takedown_takes_articles_down_with_reason_and_requester(capsys):
    first, second = make_article("第一篇"), make_article("第二篇")

    call_command(
        "takedown", str(first.pk), str(second.pk), "--reason", "侵权", "--requested-by", "法务部"
    )

    assert "已撤稿 2 篇。" in capsys.readouterr().out
    rows = Takedown.objects.order_by("article_id")
    assert [(t.article, t.reason, t.requested_by, t.actor) for t in rows] == [
        (first, "侵权", "法务部", "manage.py"),
        (second, "侵权", "法务部", "manage.py"),
    ]
    assert not Article.objects.published().exists()
    assert {e.actor for e in EditorialLog.objects.filter(action="takedown")} == {"manage.py"}


def test_takedown_counts_those_already_taken_down(capsys):
    first, second = make_article(), make_article()
    call_command("takedown", str(first.pk), "--reason", "侵权")
    call_command("takedown", str(first.pk), str(second.pk), "--reason", "再来")
    assert "已撤稿 1 篇，1 篇此前已撤稿。" in capsys.readouterr().out
    assert Takedown.objects.filter(article=first).get().reason == "侵权"


@pytest.mark.parametrize("reason", [[], ["--reason", "  "]])
def test_takedown_needs_a_reason(reason):
    article = make_article()
    with pytest.raises(CommandError, match="原因"):
        call_command("takedown", str(article.pk), *reason)
    assert not Takedown.objects.exists()


def test_takedown_of_an_unknown_id_takes_nothing_down():
    article = make_article()
    with pytest.raises(CommandError, match="999999"):
        call_command("takedown", str(article.pk), "999999", "--reason", "侵权")
    assert not Takedown.objects.exists()
    with pytest.raises(CommandError, match="--list"):
        call_command("takedown", "--reason", "侵权")  # no id at all


def test_takedown_list_prints_the_log_in_columns(capsys):
    article = make_article("被撤下的文章")
    restored = make_article("恢复了的文章")
    call_command("takedown", str(article.pk), "--reason", "侵权\n投诉", "--requested-by", "甲方")
    call_command("takedown", str(restored.pk), "--reason", "误撤", "--as", "值班编辑")
    call_command("takedown", "--restore", str(restored.pk), "--reason", "核实", "--as", "主编")
    capsys.readouterr()

    call_command("takedown", "--list")

    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split("\t") == ["id", "title", "when", "by", "reason", "requested_by", "restored"]
    rows = {int(line.split("\t")[0]): line.split("\t") for line in lines}
    assert set(rows) == {article.pk, restored.pk}
    when = timezone.localtime(Takedown.objects.get(article=article).taken_down_at)
    assert rows[article.pk][1:] == [
        "被撤下的文章",
        when.strftime("%Y-%m-%d %H:%M"),
        "manage.py",
        "侵权 投诉",  # one line per takedown
        "甲方",
        "",
    ]
    assert rows[restored.pk][3] == "值班编辑"
    assert rows[restored.pk][6].endswith(" 主编")


def test_takedown_restore_brings_one_back_logged(capsys):
    article = make_article()
    call_command("takedown", str(article.pk), "--reason", "侵权")

    call_command("takedown", "--restore", str(article.pk), "--reason", "对方撤回")

    assert f"已恢复文章 {article.pk}。" in capsys.readouterr().out
    article.refresh_from_db()
    assert article.taken_down_at is None and article.is_public
    takedown = Takedown.objects.get()
    assert (takedown.restored_by, takedown.restore_reason) == ("manage.py", "对方撤回")
    assert EditorialLog.objects.get(action="restore").reason == "对方撤回"
    with pytest.raises(CommandError, match="没有被撤稿"):
        call_command("takedown", "--restore", str(article.pk))


def test_takedown_as_user_is_recorded(django_user_model):
    user = django_user_model.objects.create_user("zhubian", password="x")
    known, unknown = make_article(), make_article()

    call_command("takedown", str(known.pk), "--reason", "侵权", "--as", "zhubian")
    call_command("takedown", str(unknown.pk), "--reason", "侵权", "--as", "外部顾问")

    by_user = Takedown.objects.get(article=known)
    assert (by_user.taken_down_by, by_user.actor) == (user, "zhubian")
    assert EditorialLog.objects.get(action="takedown", article=known).user == user
    by_name = Takedown.objects.get(article=unknown)
    assert (by_name.taken_down_by, by_name.actor) == (None, "外部顾问")
    assert EditorialLog.objects.get(action="takedown", article=unknown).actor == "外部顾问"


# licence -----------------------------------------------------------------------------------


def test_licence_by_slug_sets_the_expiry(capsys):
    source = make_source("IT之家", slug="ithome")
    article = make_article(source=source)

    call_command("licence", "ithome", "--expires", "2099-12-31", "--basis", "exclusive")

    licence = Licence.objects.get(source=source)
    assert (licence.expires_on, licence.basis) == (date(2099, 12, 31), "exclusive")
    out = capsys.readouterr().out
    assert "IT之家（ithome）：独家授权，有效，到期日 2099-12-31" in out
    assert article.is_public


def test_licence_by_name_and_expiry_withdraws_the_outlet(capsys):
    source = make_source("差评")
    article = make_article(source=source)
    today = timezone.localdate().isoformat()

    call_command(
        "licence", "差评", "--expires", today, "--granted-by", "张三", "--reference", "HT-1"
    )

    assert not Article.objects.get(pk=article.pk).is_public
    out = capsys.readouterr().out
    assert f"已到期，到期日 {today}，授权人 张三，凭证 HT-1" in out


def test_licence_name_matching_several_outlets_applies_to_each(capsys):
    web = make_source("科技日报网站", channel=Source.Channel.WEBSITE)
    wechat = make_source("科技日报公众号")
    other = make_source("别的媒体")

    call_command("licence", "科技日报", "--expires", "never")

    out = capsys.readouterr().out
    assert "“科技日报”匹配 2 个来源，逐一处理：" in out
    assert "科技日报网站" in out and "科技日报公众号" in out and "别的媒体" not in out
    assert {lic.source for lic in Licence.objects.all()} == {web, wechat}
    assert all(lic.expires_on is None for lic in Licence.objects.all())
    assert "到期日 长期" in out
    assert not Licence.objects.filter(source=other).exists()


def test_licence_exact_name_wins_over_partial_matches():
    exact, _ = make_source("36氪"), make_source("36氪出海")
    call_command("licence", "36氪", "--expires", "never")
    assert [lic.source for lic in Licence.objects.all()] == [exact]


def test_licence_expires_never_renews_and_revoke_withdraws(capsys):
    source = make_source("某媒体", slug="mou")
    article = make_article(source=source)
    call_command("licence", "mou", "--revoke")
    assert Licence.objects.get().revoked_at is not None
    assert not Article.objects.get(pk=article.pk).is_public
    assert "已撤销" in capsys.readouterr().out

    call_command("licence", "mou", "--expires", "never")

    licence = Licence.objects.get()
    assert licence.revoked_at is None and licence.expires_on is None
    assert Article.objects.get(pk=article.pk).is_public


def test_licence_show_prints_it_and_its_history(capsys):
    source = make_source("某媒体", slug="mou")
    call_command("licence", "mou", "--show")
    assert "某媒体（mou）：未登记授权" in capsys.readouterr().out

    call_command("licence", "mou", "--expires", "2099-01-01", "--reason", "签约", "--as", "法务")
    call_command("licence", "mou", "--expires", "2100-01-01", "--reason", "续约")
    capsys.readouterr()
    call_command("licence", "mou", "--show")

    first, *history = capsys.readouterr().out.splitlines()
    assert "到期日 2100-01-01" in first
    assert len(history) == 2
    assert history[0].endswith("manage.py expires_on 续约")
    assert " 法务 " in history[1] and history[1].endswith(" 签约")
    assert Licence.objects.get(source=source).expires_on == date(2100, 1, 1)


def test_licence_refuses_unknown_source_and_bad_dates():
    make_source("某媒体", slug="mou")
    with pytest.raises(CommandError, match="没有名称或 slug"):
        call_command("licence", "不存在的媒体", "--expires", "never")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("licence", "mou", "--expires", "明年")
    assert not Licence.objects.exists()


# import_articles: publishing credit, embargo, takedowns ---------------------------------


def test_import_publish_credits_the_editor_and_keeps_the_files_date(data_dir, tmp_path):
    report = tmp_path / "report.jsonl"

    call_command(
        "import_articles",
        str(data_dir / FOUNDING),
        "--publish",
        "--editor",
        " 张编辑 ",
        "--report",
        str(report),
    )

    article = Article.objects.get()
    file_date = datetime(2022, 3, 28, 2, 42, 50, tzinfo=UTC)
    assert (article.status, article.published_at) == ("published", file_date)
    assert article.original_published_at == file_date
    assert article.responsible_editor == "张编辑"
    (line,) = [json.loads(text) for text in report.read_text(encoding="utf-8").splitlines()]
    assert line["published_at"] == "2022-03-28T02:42:50+00:00"
    assert line["responsible_editor"] == "张编辑"
    assert "embargo_until" in line and line["embargo_until"] is None


@pytest.mark.parametrize(("default", "expected"), [("默认编辑", "默认编辑"), ("", "")])
def test_import_publish_without_editor_uses_the_default(
    data_dir, tmp_path, settings, default, expected
):
    settings.NEWSROOM_DEFAULT_EDITOR = default
    report = tmp_path / "report.jsonl"
    call_command("import_articles", str(data_dir / FOUNDING), "--publish", "--report", str(report))
    assert Article.objects.get().responsible_editor == expected
    assert json.loads(report.read_text(encoding="utf-8"))["responsible_editor"] == (
        expected or None
    )


def test_import_without_publish_credits_no_one(data_dir, tmp_path):
    report = tmp_path / "report.jsonl"
    call_command(
        "import_articles", str(data_dir / FOUNDING), "--editor", "张编辑", "--report", str(report)
    )
    assert Article.objects.get().status == "draft"
    assert json.loads(report.read_text(encoding="utf-8"))["responsible_editor"] is None


ARTICLE_FILE = """---
title: 禁发测试文章
date: 2024-05-01 08:00
{extra}---

<p>{body}</p>
"""


def write_article(path, *, extra: str = "", body: str = "正文第一段，足够长的文字。"):
    path.write_text(ARTICLE_FILE.format(extra=extra, body=body), encoding="utf-8")
    return path


def test_import_embargo_key_sets_embargo_until(tmp_path, client):
    path = write_article(tmp_path / "embargo.md", extra="embargo: 2099-01-01 08:00\n")
    report = tmp_path / "report.jsonl"

    call_command("import_articles", str(path), "--publish", "--report", str(report))

    article = Article.objects.get()
    assert article.embargo_until == datetime(2099, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert article.state == "embargoed" and not article.is_public
    assert json.loads(report.read_text(encoding="utf-8"))["embargo_until"] == (
        "2099-01-01T08:00:00+08:00"
    )
    assert client.get(article.get_absolute_url(), secure=True).status_code == 404
    assert article in Article.objects.published(now=datetime(2099, 1, 1, 0, 1, tzinfo=UTC))


def test_import_rejects_an_unparseable_embargo(tmp_path, capsys):
    path = write_article(tmp_path / "bad.md", extra="embargo: 等通知\n")
    with pytest.raises(SystemExit):
        call_command("import_articles", str(path), "--publish")
    err = capsys.readouterr().err
    assert "bad.md" in err and "禁发时间" in err and "等通知" in err
    assert not Article.objects.exists()


def test_reimport_keeps_a_taken_down_article_down(tmp_path, capsys, client):
    path = write_article(tmp_path / "down.md")
    call_command("import_articles", str(path), "--publish")
    article = Article.objects.get()
    call_command("takedown", str(article.pk), "--reason", "侵权")

    write_article(path, body="改过的正文，重新导入。")
    capsys.readouterr()
    call_command("import_articles", str(path), "--publish")

    assert "updated         1" in capsys.readouterr().out
    article.refresh_from_db()
    assert "改过的正文" in article.body
    assert article.taken_down_at is not None and article.state == "taken-down"
    assert client.get(article.get_absolute_url(), secure=True).status_code == 410
