"""``articles.ingest.pictures``: the one way an image is drawn, in bodies and page chrome."""

from articles.ingest.pictures import picture_attrs

LOCAL = {
    "src": "/media/a-960w.jpg",
    "srcset": "/media/a-480w.jpg 480w, /media/a-960w.jpg 960w",
    "webp_srcset": "/media/a-480w.webp 480w, /media/a-960w.webp 960w",
    "sizes": "96px",
    "width": 960,
    "height": 540,
}


def test_a_local_picture_gets_a_webp_source_and_its_own_proportions():
    source, img = picture_attrs(LOCAL, "https://remote/a.jpg", lazy=True)
    assert source == {"type": "image/webp", "srcset": LOCAL["webp_srcset"], "sizes": "96px"}
    assert img == {
        "src": LOCAL["src"],
        "alt": "",
        "srcset": LOCAL["srcset"],
        "sizes": "96px",
        "width": "960",
        "height": "540",
        "loading": "lazy",
        "decoding": "async",
    }


def test_sizes_given_win_over_the_pictures_which_win_over_the_default():
    assert picture_attrs(LOCAL, sizes="10px")[1]["sizes"] == "10px"
    assert picture_attrs(LOCAL, default_sizes="10px")[1]["sizes"] == "96px"
    no_sizes = {**LOCAL, "sizes": ""}
    assert picture_attrs(no_sizes, default_sizes="10px")[0]["sizes"] == "10px"


def test_a_box_overrides_the_pictures_size():
    _, img = picture_attrs(LOCAL, width=72, height=72, css_class="logo", priority=True)
    assert (img["width"], img["height"], img["class"]) == ("72", "72", "logo")
    assert img["fetchpriority"] == "high" and "loading" not in img


def test_an_animation_has_no_source_and_no_srcset():
    source, img = picture_attrs({**LOCAL, "srcset": "", "webp_srcset": ""})
    assert source is None and "srcset" not in img and "sizes" not in img


def test_a_remote_image_is_hotlinked_without_a_referrer():
    source, img = picture_attrs(None, "https://remote/a.jpg", alt="图", width=240, height=160)
    assert source is None
    assert img == {
        "src": "https://remote/a.jpg",
        "alt": "图",
        "width": "240",
        "height": "160",
        "decoding": "async",
        "referrerpolicy": "no-referrer",
    }


def test_no_size_means_no_width_or_height_rather_than_empty_ones():
    _, img = picture_attrs(None, "https://remote/a.jpg", width=240)
    assert "width" not in img and "height" not in img
