"""Attribution lines: parsing their text and lifting them out of an article body.

Every line in the tables is copied from the development corpus (/work/shared/corpus), so the
tests do not depend on that directory; the last test sweeps the corpus only when it exists.
"""

from pathlib import Path
from typing import Any

import pytest

from articles.ingest.attribution import extract_attribution, parse_attribution_text
from articles.ingest.body import parse_html
from articles.ingest.tree import Element, get_text, serialize
from articles.ingest.types import AttributionData

CORPUS = Path("/work/shared/corpus/articles")

WECHAT_LINK = (
    '<a class="project-link" data-id="3968527" data-name="微信" '
    'data-logo="https://img.36krcdn.com/20200916/v2_811751a081924fa9af8741ce120bd7bf_img_png" '
    'data-refer-type="2" href="https://36kr.com/projectDetails/3968527" target="_blank">微信</a>'
)
BIZ_URL = (
    "http://mp.weixin.qq.com/s?__biz=MzU3ODQ5MjQzMQ==&amp;mid=2247535990&amp;idx=2"
    "&amp;sn=3f936fcb0a348a560ee1ac46d5fe1bba#rd"
)
TRANSLATION_NOTE = (
    "编者按：不同的人对金钱当然都有不同的看法，但相信我，减轻财务压力能为你赢得更多思考的时间。"
    '本文译自Medium，作者是Tim Denning，原标题为" 10 Abnormal Money Tips to Help You Reduce '
    'Financial Stress "，希望对您有所启发。'
)
TRANSLATION_TEAM = (
    "神译局是36氪旗下编译团队，关注科技、商业、职场、生活等领域，"
    "重点介绍国外的新技术、新观点、新风向。"
)


def _fields(data: AttributionData) -> dict[str, Any]:
    """The fields a table row states; raw_text is checked separately."""
    return {
        "outlet": data.outlet,
        "channel": data.channel,
        "account_id": data.account_id,
        "original_title": data.original_title,
        "roles": data.roles,
        "republisher": data.republisher,
        "authorized": data.authorized,
    }


def _wechat(outlet: str, account_id: str, **roles: list[str]) -> dict[str, Any]:
    return {
        "outlet": outlet,
        "channel": "wechat",
        "account_id": account_id,
        "original_title": "",
        "roles": roles,
        "republisher": "36氪",
        "authorized": True,
    }


def _credit(**fields: Any) -> dict[str, Any]:
    expected: dict[str, Any] = {
        "outlet": "",
        "channel": "",
        "account_id": "",
        "original_title": "",
        "roles": {},
        "republisher": "",
        "authorized": False,
    }
    expected.update(fields)
    return expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "本文来自微信公众号“IT之家”（ID:ithomenews），作者：IT之家，36氪经授权发布。",
            _wechat("IT之家", "ithomenews", 作者=["IT之家"]),
            id="editor-note",
        ),
        pytest.param(
            "编者按：本文来自微信公众号“新智元”（ID:AI_era），作者：新智元，编辑：LQ，36氪经授权发布。",
            _wechat("新智元", "AI_era", 作者=["新智元"], 编辑=["LQ"]),
            id="top-editor-note-two-roles",
        ),
        pytest.param(
            "本文来自微信公众号 “鳌头财经”（ID：theSankei），作者：晓敏，36氪经授权发布。",
            _wechat("鳌头财经", "theSankei", 作者=["晓敏"]),
            id="space-after-account-and-full-width-colon",
        ),
        pytest.param(
            "本文来自微信公众号“Edu指南”（ID：EduZhiNan），作者：Allen，36氪经授权发布。",
            _wechat("Edu指南", "EduZhiNan", 作者=["Allen"]),
            id="full-width-colon",
        ),
        pytest.param(
            "本文来自微信公众号“三易生活”（ID:IT-3eLife），作者：三易菌，36氪经授权发布。",
            _wechat("三易生活", "IT-3eLife", 作者=["三易菌"]),
            id="hyphen-in-id",
        ),
        pytest.param(
            "本文来自微信公众号“InfoQ”（ID:infoqchina），作者：核子可乐、Tina，36氪经授权发布。",
            _wechat("InfoQ", "infoqchina", 作者=["核子可乐", "Tina"]),
            id="names-joined-by-dunhao",
        ),
        pytest.param(
            "本文来自微信公众号“新智元”（ID:AI_era），编辑：David 如願 好困，36氪经授权发布。",
            _wechat("新智元", "AI_era", 编辑=["David", "如願", "好困"]),
            id="names-joined-by-spaces",
        ),
        pytest.param(
            "本文来自微信公众号“硅星人”（ID:guixingren123），作者：光谱 杜晨，36氪经授权发布。",
            _wechat("硅星人", "guixingren123", 作者=["光谱", "杜晨"]),
            id="two-chinese-names-by-space",
        ),
        pytest.param(
            "本文来自微信公众号“CSDN”（ID:CSDNnews），整理：郑丽媛，36氪经授权发布。",
            _wechat("CSDN", "CSDNnews", 整理=["郑丽媛"]),
            id="role-zhengli",
        ),
        pytest.param(
            "本文来自微信公众号“新智元”（ID:AI_era），编辑：Emil、小匀，36氪经授权发布。",
            _wechat("新智元", "AI_era", 编辑=["Emil", "小匀"]),
            id="editors-only",
        ),
        pytest.param("文｜杜晨", _credit(roles={"作者": ["杜晨"]}), id="byline-wen-means-author"),
        pytest.param("作者｜程一城", _credit(roles={"作者": ["程一城"]}), id="byline-author"),
        pytest.param("编辑｜王与桐", _credit(roles={"编辑": ["王与桐"]}), id="byline-editor"),
        pytest.param("编辑|VickyXiao", _credit(roles={"编辑": ["VickyXiao"]}), id="ascii-bar"),
        pytest.param("译者：TeresaChen", _credit(roles={"译者": ["TeresaChen"]}), id="translator"),
        pytest.param(
            TRANSLATION_NOTE,
            _credit(
                outlet="Medium",
                channel="website",
                original_title="10 Abnormal Money Tips to Help You Reduce Financial Stress",
                roles={"作者": ["Tim Denning"]},
            ),
            id="translation-header",
        ),
        pytest.param(TRANSLATION_TEAM, _credit(republisher="36氪"), id="translation-team"),
        pytest.param("（华夏时报）", _credit(outlet="华夏时报", channel="media"), id="newsflash"),
        pytest.param(
            "(中国基金报)", _credit(outlet="中国基金报", channel="media"), id="ascii-parens"
        ),
    ],
)
def test_parse_attribution_text_fields(text: str, expected: dict[str, Any]) -> None:
    data = parse_attribution_text(text)
    assert _fields(data) == expected
    assert data.raw_text == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q",
            "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q",
            id="short-link",
        ),
        pytest.param(
            BIZ_URL,
            BIZ_URL.replace("&amp;", "&"),
            id="biz-link-unescaped",
        ),
    ],
)
def test_parse_attribution_text_keeps_original_url(url: str, expected: str) -> None:
    data = parse_attribution_text("本文来自微信公众号“IT之家”（ID:ithomenews）", url)
    assert data.original_url == expected


def test_parse_attribution_text_ignores_colons_in_commentary() -> None:
    # Commentary around a credit sentence is prose; "他说：" there is no role.
    data = parse_attribution_text("编者按：他说：钱不是一切。本文译自Medium，作者是Tim Denning。")
    assert data.roles == {"作者": ["Tim Denning"]}


def _soup(html: str) -> Element:
    return parse_html(f"<div>{html}</div>")


def _paragraphs(root: Element) -> list[str]:
    return [get_text(p) for p in root.iter("p")]


@pytest.mark.parametrize(
    ("html", "outlet", "account_id", "url", "roles"),
    [
        pytest.param(
            '<p class="editor-note">本文来自微信公众号<a target="_blank" '
            'rel="noopener noreferrer nofollow" href="https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q">'
            "“IT之家”（ID:ithomenews）</a>，作者：IT之家，36氪经授权发布。</p>",
            "IT之家",
            "ithomenews",
            "https://mp.weixin.qq.com/s/pJu0IogDJMcnCf7sPnB29Q",
            {"作者": ["IT之家"]},
            id="bottom-editor-note",
        ),
        pytest.param(
            f'<p class="editor-note">本文来自{WECHAT_LINK}公众号<a target="_blank" '
            'rel="noopener noreferrer" href="https://mp.weixin.qq.com/s/aK3kOCtZZdaSzCpgsHBAiA">'
            "“张良计”（ID:zhang_liangj）</a>，作者：张良计，36氪经授权发布。</p>",
            "张良计",
            "zhang_liangj",
            "https://mp.weixin.qq.com/s/aK3kOCtZZdaSzCpgsHBAiA",
            {"作者": ["张良计"]},
            id="wechat-entity-link",
        ),
        pytest.param(
            '<p>编者按：本文来自微信公众号<a href="https://mp.weixin.qq.com/s/FBBfZRVQMS7VVOW29g8qiA">'
            "“极客公园”（ID:geekpark）</a>，作者：郑玥，36氪经授权发布。</p>",
            "极客公园",
            "geekpark",
            "https://mp.weixin.qq.com/s/FBBfZRVQMS7VVOW29g8qiA",
            {"作者": ["郑玥"]},
            id="top-editor-note",
        ),
        pytest.param(
            f'<p>本文来自微信公众号 <a target="_blank" rel="noopener noreferrer" href="{BIZ_URL}">'
            "“鳌头财经”（ID：theSankei）</a>，作者：<strong>晓敏</strong>，36氪经授权发布。</p>",
            "鳌头财经",
            "theSankei",
            BIZ_URL.replace("&amp;", "&"),
            {"作者": ["晓敏"]},
            id="plain-bottom-strong-name-biz-url",
        ),
        pytest.param(
            f'<p>编者按：本文来自{WECHAT_LINK}公众号<a href="https://mp.weixin.qq.com/s/Di-yGgjFxed5Prt3h8h_FA">'
            '“InfoQ”（ID:infoqchina）</a>，作者：<a class="project-link" data-id="659552" '
            'data-name="万佳" data-refer-type="2" href="https://36kr.com/projectDetails/659552" '
            'target="_blank">万佳</a>、Tina，36氪经授权发布。</p>',
            "InfoQ",
            "infoqchina",
            "https://mp.weixin.qq.com/s/Di-yGgjFxed5Prt3h8h_FA",
            {"作者": ["万佳", "Tina"]},
            id="author-inside-entity-link",
        ),
    ],
)
def test_extract_attribution_lifts_wechat_line(
    html: str, outlet: str, account_id: str, url: str, roles: dict[str, list[str]]
) -> None:
    root = _soup(f"<p>第一段正文。</p>{html}<p>最后一段正文。</p>")
    data = extract_attribution(root)
    assert data is not None
    assert (data.outlet, data.channel, data.account_id) == (outlet, "wechat", account_id)
    assert data.original_url == url
    assert data.roles == roles
    assert (data.republisher, data.authorized) == ("36氪", True)
    assert _paragraphs(root) == ["第一段正文。", "最后一段正文。"]
    # The 微信 channel link goes with its paragraph, so it is never counted as a mention.
    assert root.find("a") is None


def test_extract_attribution_merges_byline_and_bottom_note() -> None:
    root = _soup(
        "<p>文｜杜晨</p><p>编辑｜VickyXiao</p><p>正文第一段。</p>"
        f'<p class="editor-note">本文来自{WECHAT_LINK}公众号<a target="_blank" '
        'href="https://mp.weixin.qq.com/s/CoNHw6liU_K1_sXmFNOzvg">“硅星人”（ID:guixingren123）</a>'
        "，作者：光谱 杜晨，36氪经授权发布。</p>"
    )
    data = extract_attribution(root)
    assert data is not None
    assert data.roles == {"作者": ["杜晨", "光谱"], "编辑": ["VickyXiao"]}
    assert data.outlet == "硅星人"
    assert data.raw_text.split("\n") == [
        "文｜杜晨",
        "编辑｜VickyXiao",
        "本文来自微信公众号“硅星人”（ID:guixingren123），作者：光谱 杜晨，36氪经授权发布。",
    ]
    assert _paragraphs(root) == ["正文第一段。"]


def test_extract_attribution_lifts_36kr_byline_only() -> None:
    root = _soup("<p>作者｜程一城</p><p>编辑｜王与桐</p><p>36氪获悉，创邻科技通过认证。</p>")
    data = extract_attribution(root)
    assert data is not None
    assert data.roles == {"作者": ["程一城"], "编辑": ["王与桐"]}
    assert (data.outlet, data.channel, data.authorized) == ("", "", False)
    assert _paragraphs(root) == ["36氪获悉，创邻科技通过认证。"]


def test_extract_attribution_keeps_editorial_note_of_translation() -> None:
    root = _soup(
        f"<p>{TRANSLATION_TEAM}</p><p>{TRANSLATION_NOTE}</p><p>正文。</p><p>译者：TeresaChen</p>"
    )
    data = extract_attribution(root)
    assert data is not None
    assert (data.outlet, data.channel) == ("Medium", "website")
    assert data.original_title == "10 Abnormal Money Tips to Help You Reduce Financial Stress"
    assert data.roles == {"作者": ["Tim Denning"], "译者": ["TeresaChen"]}
    assert (data.republisher, data.authorized) == ("36氪", False)
    assert data.raw_text.split("\n") == [TRANSLATION_TEAM, TRANSLATION_NOTE, "译者：TeresaChen"]
    # The note is an editor's comment readers want, so only the pure credit lines go.
    assert _paragraphs(root) == [TRANSLATION_NOTE, "正文。"]


@pytest.mark.parametrize(
    ("body", "outlet", "remaining"),
    [
        pytest.param(
            "有不少老人的投资额达到了数十万、数百万元。（华夏时报）  \n\n",
            "华夏时报",
            "有不少老人的投资额达到了数十万、数百万元。",
            id="full-width-brackets",
        ),
        pytest.param(
            "这类产品有望运用在“固收+”投资领域。 (中国基金报)  \n",
            "中国基金报",
            "这类产品有望运用在“固收+”投资领域。",
            id="ascii-parens-after-space",
        ),
    ],
)
def test_extract_attribution_cuts_newsflash_source(body: str, outlet: str, remaining: str) -> None:
    root = _soup(f"   \n{body}")
    data = extract_attribution(root)
    assert data is not None
    assert (data.outlet, data.channel) == (outlet, "media")
    assert get_text(root).strip() == remaining


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<p>作者认为，这场官司的关键在于证据。</p>", id="mentions-author"),
        pytest.param("<p>作者：王五在文中提到，这是行业的转折点。</p>", id="author-colon-prose"),
        pytest.param("<p>正如本文来自一线的观察，老人投资需谨慎。</p>", id="mentions-benwen"),
        pytest.param("<p>记者问他为什么。（完）</p>", id="brackets-inside-paragraph"),
        pytest.param("<p>编者按：这是一篇关于金钱的文章。</p>", id="note-without-credit"),
        pytest.param("", id="empty-body"),
    ],
)
def test_extract_attribution_leaves_body_alone(html: str) -> None:
    root = _soup(html)
    before = serialize(root)
    assert extract_attribution(root) is None
    assert serialize(root) == before


def test_extract_attribution_finds_paragraphs_without_wrapper() -> None:
    root = parse_html("<p>正文。</p><p>译者：TeresaChen</p>")
    data = extract_attribution(root)
    assert data is not None and data.roles == {"译者": ["TeresaChen"]}
    assert _paragraphs(root) == ["正文。"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="development corpus not present")
def test_extract_attribution_corpus_leaves_no_credit_behind() -> None:
    found = 0
    for path in sorted(CORPUS.glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        root = parse_html(body)
        had_credit = "本文来自" in body or "文｜" in body or "（华夏时报）" in body
        data = extract_attribution(root)
        if had_credit:
            assert data is not None, path.name
            found += 1
        text = get_text(root)
        for leftover in ("本文来自", "36氪经授权发布", "文｜", "编辑｜", "译者：", "（华夏时报）"):
            assert leftover not in text, (path.name, leftover)
    assert found >= 20
