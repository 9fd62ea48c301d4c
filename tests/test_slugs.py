"""ASCII slugs for Chinese titles."""

import re

import pytest

from articles.slugs import make_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("重磅，淘宝将打通微信支付", "zhong-bang-tao-bao-jiang-da-tong-wei-xin-zhi-fu"),
        ("新媒体", "xin-mei-ti"),
        ("36kr", "36kr"),
        ("IT之家", "it-zhi-jia"),
        ("iPhone 14 发布", "iphone-14-fa-bu"),
        ("Hello, World!", "hello-world"),
        ("Ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
        ("Café déjà vu", "cafe-deja-vu"),
        ("  spaced   out  ", "spaced-out"),
        ("a—b–c", "abc"),
    ],
)
def test_make_slug_spells_chinese_in_pinyin_and_keeps_latin(text, slug):
    assert make_slug(text) == slug


@pytest.mark.parametrize("text", ["🎉🎉", "", "？！。", "   ", "\u200b", "—"])
def test_make_slug_falls_back_when_nothing_can_be_spelled(text):
    assert make_slug(text, fallback="article") == "article"


@pytest.mark.parametrize(
    ("text", "max_length", "slug"),
    [
        ("重磅重磅重磅", 10, "zhong-bang"),  # ends exactly at a hyphen: keep the whole word
        ("重磅重磅重磅", 12, "zhong-bang"),  # would end inside "zhong"
        ("Hello World", 10, "hello"),
        ("a" * 100, 60, "a" * 60),  # one word longer than the limit is cut
        ("iPhone 14 发布", 10, "iphone-14"),
    ],
)
def test_make_slug_cuts_at_a_word_boundary(text, max_length, slug):
    assert make_slug(text, max_length=max_length) == slug


@pytest.mark.parametrize("max_length", [5, 20, 60, 120])
def test_make_slug_never_exceeds_the_limit_or_ends_with_a_hyphen(max_length):
    title = "谷歌低调了 5 年的 Fuchsia OS，终于有望面世了" * 3
    slug = make_slug(title, max_length=max_length)
    assert 0 < len(slug) <= max_length
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
