"""Verification and renditions (Pillow), and how local images reach the HTML: the picture
markup ``render_body`` writes, what the sanitizer lets through, and the ``{% picture %}`` tag."""

import io

import pytest
from bs4 import BeautifulSoup
from django.template import Context, Template
from PIL import Image, ImageCms

from articles.images.renditions import (
    ImageRejected,
    inspect_image,
    make_renditions,
    read_header,
    rendition_widths,
)
from articles.ingest import render_body
from articles.ingest.body import BODY_IMAGE_SIZES, image_sources
from articles.sanitizer import ALLOWED_TAGS, is_media_srcset, sanitize
from tests.image_server import HTML_PAGE, animated_gif, bmp, jpeg, png, png_bomb, truncated_jpeg
from tests.image_server import webp as webp_image
from tests.test_sanitizer import assert_safe_html as assert_safe_without_srcset

MAX = 4_000_000
REMOTE = "https://img.36krcdn.com/20220328/v2_a3a93e16d4744c2e9cbd6634841c7b6d_img_000"
PICTURE = {
    "src": "/media/images/ab/abc-960w.jpg",
    "srcset": "/media/images/ab/abc-480w.jpg 480w, /media/images/ab/abc-960w.jpg 960w",
    "webp_srcset": "/media/images/ab/abc-480w.webp 480w, /media/images/ab/abc-960w.webp 960w",
    "width": 960,
    "height": 1920,
}


def assert_safe_html(html: str) -> None:
    """The sanitizer test's check, after making sure every srcset names only our files."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(srcset=True):
        assert is_media_srcset(element["srcset"]), html
        del element["srcset"]
    assert_safe_without_srcset(str(soup))


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


# Verification


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (jpeg(200, 100), ("JPEG", 200, 100, False)),
        (jpeg(200, 100, orientation=6), ("JPEG", 100, 200, False)),  # shown upright
        (png(), ("PNG", 120, 80, False)),
        (webp_image(), ("WEBP", 640, 480, False)),
        (animated_gif(), ("GIF", 60, 40, True)),
    ],
    ids=["jpeg", "jpeg-rotated", "png", "webp", "animated-gif"],
)
def test_inspect_image_accepts_the_four_formats(data, expected):
    info = inspect_image(data, max_pixels=MAX)
    assert (info.format, info.width, info.height, info.is_animated) == expected


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (HTML_PAGE, "not-image"),
        (b"", "not-image"),
        (bmp(), "not-image"),  # a real image, but not an allowed format
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 30, "corrupt"),
        (truncated_jpeg(), "truncated"),
        (png_bomb(30_000, 30_000), "pixels"),  # past Pillow's own bomb limit
        (png_bomb(2_500, 2_000), "pixels"),  # 5 MP, past the configured 4 MP
    ],
    ids=["html", "empty", "bmp", "broken-webp", "truncated", "bomb", "over-limit"],
)
def test_inspect_image_refuses_with_a_reason(data, code):
    with pytest.raises(ImageRejected) as info:
        inspect_image(data, max_pixels=MAX)
    assert info.value.code == code
    assert info.value.message


def test_the_pixel_refusal_states_the_size_and_the_limit():
    with pytest.raises(ImageRejected) as info:
        inspect_image(png_bomb(2_500, 2_000), max_pixels=MAX)
    assert info.value.code == "pixels"
    assert "2500×2000 = 5000000 像素" in info.value.message
    assert f"上限 {MAX} 像素（NEWSROOM_IMAGE_MAX_PIXELS）" in info.value.message


def test_read_header_reads_the_size_of_a_large_image_without_decoding_it():
    out = io.BytesIO()
    Image.new("1", (6324, 6324)).save(out, "PNG")
    info = read_header(out.getvalue())  # its memory: tests/test_images_pixel_limit.py
    assert (info.format, info.width, info.height, info.pixels) == ("PNG", 6324, 6324, 6324**2)
    assert read_header(jpeg(200, 100, orientation=6)).width == 100  # shown upright
    with pytest.raises(ImageRejected):
        read_header(png_bomb(30_000, 30_000))  # Pillow's own ceiling still holds


def test_a_bomb_is_refused_before_any_pixel_is_decoded():
    import time

    started = time.perf_counter()
    with pytest.raises(ImageRejected):
        make_renditions(png_bomb(60_000, 60_000), max_pixels=MAX)
    assert time.perf_counter() - started < 0.5


# Renditions


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (2000, [480, 960, 1440]),
        (1440, [480, 960, 1440]),
        (1080, [480, 960, 1080]),
        (960, [480, 960]),
        (500, [480, 500]),
        (480, [480]),
        (200, [200]),
        (1, [1]),
    ],
)
def test_rendition_widths_are_never_wider_than_the_original(width, expected):
    assert rendition_widths(width, (480, 960, 1440)) == expected


def test_renditions_are_webp_and_jpeg_for_an_opaque_image():
    renditions = make_renditions(jpeg(1200, 600), max_pixels=MAX)
    assert [(r.width, r.height, r.format) for r in renditions] == [
        (480, 240, "JPEG"),
        (480, 240, "WEBP"),
        (960, 480, "JPEG"),
        (960, 480, "WEBP"),
        (1200, 600, "JPEG"),
        (1200, 600, "WEBP"),
    ]
    for r in renditions:
        image = opened(r.data)
        assert (image.format, image.size) == (r.format, (r.width, r.height))


def test_renditions_keep_transparency_with_a_png_fallback():
    renditions = make_renditions(png(600, 300), max_pixels=MAX)
    assert {r.format for r in renditions} == {"PNG", "WEBP"}
    for r in renditions:
        assert opened(r.data).mode in ("RGBA", "LA")


def test_renditions_are_upright_and_carry_no_metadata():
    data = jpeg(
        800,
        400,
        orientation=6,
        exif_extra={0x010F: "Camera maker", 0x0131: "Editing software"},
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = opened(data)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=image.getexif().tobytes(), icc_profile=icc)
    for r in make_renditions(out.getvalue(), max_pixels=MAX):
        shown = opened(r.data)
        assert r.height > r.width  # rotated by the EXIF orientation
        assert len(shown.getexif()) == 0
        assert "icc_profile" not in shown.info and "exif" not in shown.info
        shown = shown.convert("RGB")
        top, bottom = (
            shown.getpixel((r.width // 2, 5)),
            shown.getpixel((r.width // 2, r.height - 5)),
        )
        assert top[0] > 200 and top[2] < 60  # the red left half is now on top
        assert bottom[2] > 200 and bottom[0] < 60


def test_animated_images_get_no_renditions():
    assert make_renditions(animated_gif(), max_pixels=MAX) == []


def test_a_still_gif_gets_renditions():
    out = io.BytesIO()
    Image.new("P", (500, 100), 3).save(out, "GIF")
    assert {r.format for r in make_renditions(out.getvalue(), max_pixels=MAX)} == {"WEBP", "JPEG"}


def test_a_cmyk_jpeg_becomes_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(out, "JPEG")
    renditions = make_renditions(out.getvalue(), max_pixels=MAX)
    assert {opened(r.data).mode for r in renditions} == {"RGB"}


# Into the body


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_render_body_points_a_local_image_at_its_renditions():
    body = (
        f'<p class="image-wrapper"><img data-img-size-val="820,1640" src="{REMOTE}" '
        'referrerpolicy="no-referrer"></p><p class="img-desc">截图</p>'
    )
    html = render_body(body, [], {REMOTE: PICTURE})
    figure = _soup(html).figure
    picture = figure.picture
    assert [c.name for c in figure.children] == ["picture", "figcaption"]
    assert picture.source.attrs == {
        "type": "image/webp",
        "srcset": PICTURE["webp_srcset"],
        "sizes": BODY_IMAGE_SIZES,
    }
    assert picture.img.attrs == {
        "src": PICTURE["src"],
        "alt": "截图",
        "srcset": PICTURE["srcset"],
        "sizes": BODY_IMAGE_SIZES,
        "width": "960",  # the local copy's real size, not data-img-size-val
        "height": "1920",
        "loading": "lazy",
        "decoding": "async",
    }
    assert REMOTE not in html
    assert_safe_html(html)


def test_render_body_serves_an_animation_as_a_plain_image():
    gif = {"src": "/media/images/cd/cde.gif", "srcset": "", "webp_srcset": "", "width": 60}
    img = _soup(render_body(f'<p><img src="{REMOTE}"></p>', [], {REMOTE: gif})).img
    assert img.attrs == {"src": gif["src"], "alt": "", "loading": "lazy", "decoding": "async"}


def test_render_body_keeps_images_without_a_local_copy_remote():
    other = "https://img.36krcdn.com/other"
    html = render_body(f'<p><img src="{REMOTE}"></p><p><img src="{other}"></p>', [], {})
    assert [img["src"] for img in _soup(html).find_all("img")] == [REMOTE, other]
    assert "<picture>" not in html


def test_render_body_output_with_images_is_stable():
    body = f'<p class="image-wrapper"><img src="{REMOTE}"></p><p>文字</p>'
    once = render_body(body, [], {REMOTE: PICTURE})
    assert render_body(body, [], {REMOTE: PICTURE}) == once


@pytest.mark.parametrize(
    "body",
    [
        '<picture><source srcset="https://evil.example/x.jpg"><img src="https://a.example/y.jpg">'
        "</picture>",
        '<picture><source srcset="/media/images/ab/abc-480w.webp 480w" onerror="alert(1)">'
        '<img src="https://a.example/y.jpg"></picture>',
        '<source srcset="/media/x.jpg" type="text/html">',
        '<img src="https://a.example/y.jpg" srcset="/media/images/ab/abc-480w.jpg 480w">',
    ],
)
def test_render_body_drops_responsive_markup_the_body_brought(body):
    html = render_body(body, [])
    assert "srcset" not in html and "<source" not in html and "<picture" not in html
    assert 'src="https://a.example/y.jpg"' in html or "<img" not in body
    assert_safe_html(html.replace("<picture>", ""))


def test_image_sources_lists_what_render_body_keeps():
    body = (
        f'<p><img src="{REMOTE}"></p><p><img data-src="https://a.example/2.png"></p>'
        f'<p><img src="{REMOTE}"></p><p><img src="javascript:alert(1)"></p>'
        '<noscript><img src="https://a.example/hidden.png"></noscript>'
    )
    assert image_sources(body) == [REMOTE, "https://a.example/2.png"]


# What the sanitizer lets through


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("/media/images/ab/abc-480w.jpg 480w", True),
        ("/media/images/ab/abc-480w.jpg 480w, /media/images/ab/abc-960w.jpg 960w", True),
        ("/media/images/ab/abc.jpg", True),
        ("/media/images/ab/abc.jpg 2x", True),
        ("", False),
        ("javascript:alert(1) 2x", False),
        ("https://evil.example/x.jpg 480w", False),
        ("//evil.example/media/x.jpg 480w", False),
        ("/media/../admin/ 480w", False),
        ("/media//evil.example/x.jpg 480w", False),
        ("/media/x.jpg 480w, https://evil.example/y.jpg 960w", False),
        ("/media/x.jpg 480w onerror=alert(1)", False),
        ("/media/x.jpg javascript:alert(1)", False),
        ("/media/x.jpg?x=1 480w", False),
        ("/static/x.jpg 480w", False),
        (", ".join(["/media/x.jpg 1w"] * 13), False),
    ],
)
def test_is_media_srcset_allows_only_our_files(value, ok):
    assert is_media_srcset(value) is ok


HOSTILE_RESPONSIVE = [
    '<img src="https://a.example/x.png" srcset="javascript:alert(1) 2x">',
    '<img src="x" srcset="https://evil.example/track.gif 1x">',
    '<picture><source srcset="javascript:alert(1)"><img src="x"></picture>',
    '<picture><source src="javascript:alert(1)" onerror="alert(1)"></picture>',
    '<source type="text/html" srcset="/media/x.jpg" media="print">',
    '<img src="x" sizes="expression(alert(1))">',
    '<img src="x" sizes="calc(100vw - 1px)">',
    '<img src="x" sizes="(max-width: 42rem) 100vw, 42rem" srcset="/media/a.jpg 1w">',
    '<img src="x" sizes="100vw">',
    '<img src="x" sizes="100vw" srcset="/media/a.jpg 1w, data:image/svg+xml,<svg> 2w">',
    '<picture onclick="alert(1)" class="evil"><img src="x"></picture>',
]


@pytest.mark.parametrize("html", HOSTILE_RESPONSIVE)
def test_sanitize_keeps_no_foreign_srcset_or_handler(html):
    clean = sanitize(html)
    soup = _soup(clean)
    for element in soup.find_all(True):
        assert element.name in ALLOWED_TAGS
        for name, value in element.attrs.items():
            assert not name.startswith("on")
            if name == "srcset":
                assert is_media_srcset(value), clean
            if name == "sizes":
                assert value in ("100vw", "(max-width: 42rem) 100vw, 42rem"), clean
        assert element.name != "picture" or not element.attrs
        assert element.name != "source" or set(element.attrs) <= {"srcset", "sizes", "type"}


def test_sanitize_keeps_the_picture_markup_we_write():
    html = (
        '<picture><source type="image/webp" srcset="/media/images/ab/a-480w.webp 480w" '
        'sizes="(max-width: 42rem) 100vw, 42rem"><img src="/media/images/ab/a-480w.jpg" alt="" '
        'srcset="/media/images/ab/a-480w.jpg 480w" sizes="(max-width: 42rem) 100vw, 42rem" '
        'width="480" height="240" loading="lazy" decoding="async"></picture>'
    )
    assert sanitize(html) == html


# The template tag


def _tag(arguments: str, **context) -> str:
    return Template("{% load pictures %}{% picture " + arguments + " %}").render(Context(context))


def test_picture_tag_renders_renditions_with_a_webp_source():
    html = _tag('pic "https://remote/x.jpg" sizes="240px" priority=True', pic=PICTURE)
    soup = _soup(html)
    assert soup.picture.source["srcset"] == PICTURE["webp_srcset"]
    assert soup.picture.source["sizes"] == "240px"
    img = soup.picture.img
    assert (img["src"], img["srcset"], img["width"], img["height"]) == (
        PICTURE["src"],
        PICTURE["srcset"],
        "960",
        "1920",
    )
    assert img["fetchpriority"] == "high" and "referrerpolicy" not in img.attrs


def test_picture_tag_falls_back_to_the_remote_image():
    html = _tag('None url width=240 height=160 alt="x"', url="https://remote/x.jpg?a=1&b=2")
    img = _soup(html).img
    assert img["src"] == "https://remote/x.jpg?a=1&b=2"
    assert (img["width"], img["height"], img["referrerpolicy"]) == ("240", "160", "no-referrer")
    assert "&amp;" in html  # escaped
    assert _tag("None ''") == ""
