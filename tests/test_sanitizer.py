"""The sanitizer against hostile HTML: every assertion is about what comes out.

The output is parsed twice, by html.parser and by an HTML5 parser (the one browsers follow),
and checked against the allowlist; a URL's scheme is read the way a browser reads it.
"""

import re
from html.parser import HTMLParser

import pytest
from bleach._vendor import html5lib

from articles.sanitizer import ALLOWED_CLASSES, ALLOWED_TAGS, is_safe_url, sanitize

URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "poster", "background", "data"}
FORBIDDEN_ATTRIBUTES = {"style", "srcset", "formaction", "action", "xmlns", "xlink:href"}
_NOISE = re.compile("[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in ``value``, an attribute value the parser decoded."""
    match = _SCHEME.match(_NOISE.sub("", value).lower())
    return match.group(1) if match else None


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.other.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.other.append(f"declaration {decl!r}")

    def unknown_decl(self, data):
        self.other.append(f"declaration {data!r}")

    def handle_pi(self, data):
        self.other.append(f"processing instruction {data!r}")


def _html5_elements(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in fragment.iter():
        if element is fragment or not isinstance(element.tag, str):
            continue
        found.append((element.tag.split("}")[-1], list(element.attrib.items())))
    return found


def unsafe_parts(html: str) -> list[str]:
    """Everything in ``html`` the allowlist forbids; empty when it is safe."""
    collector = _Elements()
    collector.feed(html)
    collector.close()
    problems = list(collector.other)
    for tag, attrs in collector.elements + _html5_elements(html):
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES and url_scheme(value or "") not in (
                None,
                "http",
                "https",
                "mailto",
            ):
                problems.append(f"{name}={value!r} on <{tag}>")
            if name == "class" and not set((value or "").split()) <= ALLOWED_CLASSES:
                problems.append(f"class={value!r} on <{tag}>")
    return problems


def assert_safe_html(html: str) -> None:
    assert unsafe_parts(html) == [], html


# (id, hostile input). Taken from the usual XSS cheat sheets and mutation-XSS write-ups.
HOSTILE = [
    ("script", "<script>alert('XSS')</script>"),
    ("script-uppercase", "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>"),
    ("script-split", "<scr<script>ipt>alert('XSS')</script>"),
    ("script-unclosed", "<p>hi<script>alert('XSS')"),
    ("img-onerror", "<img src=x onerror=alert('XSS')>"),
    ("img-onerror-quotes", '<img src="x" onerror="alert(1)">'),
    ("img-onerror-slash", "<img/src=x/onerror=alert(1)>"),
    ("body-onload", "<body onload=alert('XSS')>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-script", "<svg><script>alert('XSS')</script></svg>"),
    ("svg-style-img", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    ("svg-a-xlink", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'),
    ("math-confusion", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("math-href", '<math href="javascript:alert(1)">click</math>'),
    ("a-onclick", '<a href="https://example.com" onclick="alert(1)">x</a>'),
    ("p-onmouseover", "<p onmouseover=alert(1)>hover</p>"),
    ("a-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("a-javascript-case", '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ("a-javascript-tab-entity", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    ("a-javascript-newline-entity", '<a href="jav&#x0A;ascript:alert(1)">x</a>'),
    (
        "a-javascript-entities",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    ),
    ("a-javascript-hex-no-semicolon", '<a href="&#x6A&#x61&#x76&#x61script:alert(1)">x</a>'),
    ("a-javascript-leading-space", '<a href=" \x01javascript:alert(1)">x</a>'),
    ("a-javascript-colon-entity", '<a href="javascript&colon;alert(1)">x</a>'),
    ("a-javascript-raw-tab", '<a href="java\tscript:alert(1)">x</a>'),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("a-data-html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("img-data", '<img src="data:image/svg+xml;base64,PHN2Zy8+">'),
    ("img-javascript", '<img src="javascript:alert(1)">'),
    ("img-srcset", '<img src="https://a.example/x.png" srcset="javascript:alert(1) 2x">'),
    ("img-style", '<img src="https://a.example/x.png" style="width:expression(alert(1))">'),
    ("iframe", '<iframe src="https://evil.example">XSS</iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("object", '<object data="https://evil.example/x.swf">XSS</object>'),
    ("embed", '<embed src="https://evil.example/x.swf">'),
    ("form", '<form action="https://evil.example"><input name=q><button>go</button></form>'),
    ("button-formaction", '<button formaction="javascript:alert(1)">x</button>'),
    ("style-tag", "<style>body{background:url(javascript:alert(1))}</style>"),
    ("style-attribute", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("base", '<base href="https://evil.example/">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("noscript-mutation", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("template-mutation", "<template><script>alert('XSS')</script></template>"),
    ("comment", "<!-- <script>alert(1)</script> -->x"),
    ("comment-conditional", "<!--[if IE]><script>alert(1)</script><![endif]-->"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("processing-instruction", "<?php echo 1; ?>x"),
    ("unclosed-tags", "<p><b><i>unclosed <a href='https://a.example'>link"),
    ("unknown-tag", "<blink>x</blink><marquee>y</marquee><custom-element>z</custom-element>"),
    ("class-unknown", '<p class="evil">x</p><span class="entity-link sneaky">y</span>'),
    ("attribute-breakout", '<a href="https://a.example" title="x"onmouseover="alert(1)">x</a>'),
    ("xmp", "<xmp><script>alert('XSS')</script></xmp>"),
    ("textarea", "<textarea><script>alert('XSS')</script></textarea>"),
    ("title", "<title><script>alert('XSS')</script></title>"),
    ("plaintext", "<plaintext><script>alert('XSS')</script>"),
    ("video-poster", '<video poster="javascript:alert(1)"><source src=x onerror=alert(1)></video>'),
    ("table-background", '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>'),
    ("blockquote-cite", '<blockquote cite="javascript:alert(1)">q</blockquote>'),
    ("details-ontoggle", "<details open ontoggle=alert(1)><summary>x</summary></details>"),
    ("nested-quotes", '<img src="x` `<script>alert(1)</script>"` `>'),
    ("null-in-tag", "<scr\x00ipt>alert(1)</scr\x00ipt>"),
    ("h1-with-handler", "<h1 onclick=alert(1)>title</h1>"),
]
# Inputs where a real script/style/iframe element exists in a browser's reading.
CONTENT_MUST_GO = {
    "script",
    "script-unclosed",
    "svg-script",
    "iframe",
    "object",
    "style-tag",
    "template-mutation",
    "xmp",
    "textarea",
    "title",
    "plaintext",
}


def test_hostile_table_is_large_enough():
    assert len(HOSTILE) >= 40
    assert len({name for name, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("html", [html for _, html in HOSTILE], ids=[n for n, _ in HOSTILE])
def test_sanitize_leaves_nothing_outside_the_allowlist(html):
    assert_safe_html(sanitize(html))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<a href="https://example.com/a?b=1&c=2">x</a>',
            '<a href="https://example.com/a?b=1&amp;c=2">x</a>',
        ),
        ('<a href="/relative/path">x</a>', '<a href="/relative/path">x</a>'),
        ('<a href="mailto:a@example.com">x</a>', '<a href="mailto:a@example.com">x</a>'),
        ("<p>a &lt; b &amp;&amp; c &gt; d</p>", "<p>a &lt; b &amp;&amp; c &gt; d</p>"),
        ("<p>bare < and & survive</p>", "<p>bare &lt; and &amp; survive</p>"),
        ("<ul><li><p>item</p></li></ul>", "<ul><li><p>item</p></li></ul>"),
        ('<p class="img-desc">caption</p>', '<p class="img-desc">caption</p>'),
        (
            '<a class="entity-link" href="/e/1/">淘宝</a>',
            '<a class="entity-link" href="/e/1/">淘宝</a>',
        ),
        (
            '<table><tr><td colspan="2" rowspan="x">c</td></tr></table>',
            '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>',
        ),
        ('<ol start="3"><li>c</li></ol>', '<ol start="3"><li>c</li></ol>'),
        (
            '<img src="https://img.36krcdn.com/x" width="820" height="abc" loading="lazy" '
            'referrerpolicy="unsafe-url" decoding="async">',
            '<img src="https://img.36krcdn.com/x" width="820" loading="lazy" decoding="async">',
        ),
        ("<h2>小标题</h2>", "<h2>小标题</h2>"),
        ("<p>&nbsp;不换行空格</p>", "<p>&nbsp;不换行空格</p>"),
        ("<p>\u00a0不换行空格</p>", "<p>\u00a0不换行空格</p>"),
    ],
)
def test_sanitize_keeps_allowed_markup(html, expected):
    assert sanitize(html) == expected


@pytest.mark.parametrize(
    ("html", "gone"),
    [
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<p style="color:red">x</p>', "style"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("<h1>title</h1>", "<h1"),
        ('<p class="image-wrapper">x</p>', "image-wrapper"),
        ("<!-- secret -->x", "secret"),
    ],
)
def test_sanitize_removes_what_is_not_allowed(html, gone):
    assert gone not in sanitize(html)


def test_sanitize_double_quotes_every_attribute_value():
    # The feeds rely on it to rewrite relative URLs with a regex.
    html = sanitize("<a href=/x title='t'>x</a><img src=/i alt=a>")
    assert re.findall(r"\s\w+=(\S)", html) == ['"'] * 4


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/", True),
        ("HTTP://EXAMPLE.COM/", True),
        ("mailto:a@example.com", True),
        ("/relative", True),
        ("relative/path:with-colon", True),
        ("//cdn.example.com/x.png", True),
        ("#anchor", True),
        ("", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("jav&#x09;ascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("\x01javascript:alert(1)", False),
        ("&#106;avascript:alert(1)", False),
        ("javascript&colon;alert(1)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("ftp://example.com/", False),
    ],
)
def test_is_safe_url_reads_schemes_like_a_browser(url, safe):
    assert is_safe_url(url) is safe


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        "<script>x</script>",
        '<p style="a">x</p>',
        '<p class="nope">x</p>',
        "<iframe></iframe>",
        "<!-- c -->",
        '<img src="data:x">',
    ],
)
def test_unsafe_parts_detects_what_it_must(html):
    # The checker above must itself be able to fail.
    assert unsafe_parts(html)
