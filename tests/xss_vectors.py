# ruff: noqa: E501 - the vectors are data, kept whole on one line each
"""XSS and markup-injection vectors for the hostile-content tests, with observable payloads.

Drawn from the usual public sources: the OWASP XSS Filter Evasion Cheat Sheet, PortSwigger's
XSS cheat sheet, the HTML5 Security Cheatsheet and the mutation-XSS / namespace-confusion
write-ups about HTML sanitizers (DOMPurify's bypass history). Each entry is ``(name, template)``;
``render(template, n)`` fills in the payload for marker number ``n``:

``{js}``        JavaScript that reports ``n``: ``__xss(n)`` (the browser test defines
                ``window.__xss`` in every frame and wraps alert/confirm/prompt the same way)
``{n}``         the number alone, for payloads such as ``alert({n})``
``{js_dec}``    ``{js}`` as decimal character references (``&#95;&#95;…``)
``{js_hex}``    ``{js}`` as hexadecimal character references without semicolons
``{js_pct}``    ``{js}`` percent-encoded
``{b64_html}``  base64 of an HTML document that runs ``{js}`` (for ``data:`` URLs)
``{b64_svg}``   base64 of an SVG document that runs ``{js}``
``{b64_js}``    base64 of ``{js}`` itself (for ``eval(atob(…))``)

Every vector, if a browser ever ran it, calls the marker: the browser test fails on any call,
on any dialog, and on any markup that would run script on a click (handlers, script URLs).
Vectors are written as they appear in import files: HTML bodies, or Markdown where noted
(``md-``: the body does not start with a block tag, so it is read as Markdown).
"""

import base64
import html
import json
import re
from collections.abc import Sequence
from urllib.parse import quote

VECTORS: list[tuple[str, str]] = [
    # <script> in its many spellings
    ("script", "<script>{js}</script>"),
    ("script-upper", "<SCRIPT>{js}</SCRIPT>"),
    ("script-mixed-case", "<ScRiPt>{js}</sCrIpT>"),
    ("script-src-data", '<script src="data:text/javascript,{js_pct}"></script>'),
    ("script-split", "<scr<script>ipt>{js}</scr</script>ipt>"),
    ("script-unclosed", "<p>intro<script>{js}"),
    ("script-slash-attr", "<script/x>{js}</script>"),
    ("script-module", '<script type="module">{js}</script>'),
    ("script-double-open", "<<script>{js};//<</script>"),
    ("script-close-first", "</script><script>{js}</script>"),
    ("script-comment-tail", "<script>{js}<!--"),
    ("script-junk-attrs", '<script ~~~ x="y">{js}</script ~~~>'),
    ("script-in-svg", "<svg><script>{js}</script></svg>"),
    ("script-svg-href", '<svg><script href="data:text/javascript,{js_pct}"></script></svg>'),
    ("script-svg-xlink", '<svg><script xlink:href="data:,{js_pct}"></script></svg>'),
    ("script-in-math", "<math><script>{js}</script></math>"),
    ("script-entity-text", "&lt;script&gt;{js}&lt;/script&gt;"),
    ("script-numeric-text", "&#60;script&#62;{js}&#60;/script&#62;"),
    ("script-polyglot", "'\"--></title></style></textarea></script><script>{js}</script>"),
    ("script-alert-backtick", "<script>alert`{n}`</script>"),
    ("script-eval-atob", "<script>eval(atob('{b64_js}'))</script>"),
    # event handlers on many tags
    ("img-onerror", "<img src=x onerror={js}>"),
    ("img-onerror-quoted", '<img src="x" onerror="{js}">'),
    ("img-onerror-mixed-case", "<IMG SRC=x oNeRrOr={js}>"),
    ("img-slashes", "<img/src=x/onerror={js}>"),
    ("img-onerror-entities", '<img src=x onerror="{js_dec}">'),
    ("img-onerror-newline", "<img src=x onerror\n={js}>"),
    ("img-onerror-formfeed", "<img src=x\x0conerror={js}>"),
    ("img-onerror-unclosed", "<img src=x onerror={js} "),
    ("img-onerror-js-label", "<img src=x:x onerror=javascript:{js}>"),
    ("img-malformed-quotes", '<img """><script>{js}</script>">'),
    ("img-backtick", "<img src=`x` onerror=`{js}`>"),
    ("img-onload", "<img src=/static/img/favicon.svg onload={js}>"),
    ("image-tag", "<image src=x onerror={js}>"),
    ("svg-onload", "<svg onload={js}>"),
    ("svg-slash-onload", "<svg/onload={js}>"),
    ("svg-animate-onbegin", "<svg><animate onbegin={js} attributeName=x dur=1s>"),
    ("svg-set-onbegin", "<svg><set onbegin={js} attributename=x to=1>"),
    ("svg-animatetransform", "<svg><animatetransform onbegin={js} attributeName=transform>"),
    ("svg-image-onerror", "<svg><image href=x onerror={js} /></svg>"),
    ("svg-foreignobject-img", "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>"),
    ("body-onload", "<body onload={js}>"),
    ("body-onpageshow", "<body onpageshow={js}>"),
    ("frameset-onload", "<frameset onload={js}>"),
    ("details-ontoggle", "<details open ontoggle={js}><summary>x</summary></details>"),
    ("details-slashes", "<details/open/ontoggle={js}>"),
    ("video-onerror", "<video src=x onerror={js}></video>"),
    ("video-source-onerror", "<video><source onerror={js}></video>"),
    ("video-poster", "<video poster=javascript:{js}></video>"),
    ("audio-onerror", "<audio src=x onerror={js}></audio>"),
    ("audio-onloadstart", "<audio src onloadstart={js}></audio>"),
    ("marquee-onstart", "<marquee onstart={js}>x</marquee>"),
    ("input-autofocus", "<input autofocus onfocus={js}>"),
    ("input-onblur", "<input onblur={js} autofocus><input autofocus>"),
    ("select-autofocus", "<select autofocus onfocus={js}></select>"),
    ("textarea-autofocus", "<textarea autofocus onfocus={js}></textarea>"),
    ("keygen-autofocus", "<keygen autofocus onfocus={js}>"),
    ("custom-tag-focus", "<xss id=x tabindex=1 autofocus onfocus={js}></xss>"),
    ("a-onfocusin", "<a id=y tabindex=1 autofocus onfocusin={js}>x</a>"),
    ("div-onmouseover", "<div onmouseover={js}>hover</div>"),
    ("p-onclick", "<p onclick={js}>click</p>"),
    ("h1-onpointerover", "<h1 onpointerover={js}>title</h1>"),
    ("style-onload", "<style onload={js}></style>"),
    ("link-onload", '<link rel=stylesheet href="data:text/css," onload={js}>'),
    ("object-onerror", "<object data=x onerror={js}></object>"),
    ("iframe-onload", "<iframe onload={js}></iframe>"),
    ("input-image-onerror", "<input type=image src=x onerror={js}>"),
    ("isindex-onerror", "<isindex type=image src=1 onerror={js}>"),
    ("table-onpointer", "<table><tr><td onpointerenter={js}>x</td></tr></table>"),
    (
        "popover-onbeforetoggle",
        "<button popovertarget=p>x</button><i popover id=p onbeforetoggle={js}>y</i>",
    ),
    ("a-href-and-onclick", '<a href="https://example.com/" onclick="{js}">x</a>'),
    # payloads that call the dialogs or hide the marker's name
    ("img-onerror-alert", "<img src=x onerror=alert({n})>"),
    ("svg-onload-prompt", "<svg/onload=prompt({n})>"),
    ("img-onerror-confirm-top", "<img src=x onerror=top['con'+'firm']({n})>"),
    ("img-onerror-throw", '<img src=x onerror="window.onerror=alert;throw {n}">'),
    ("img-onerror-eval-atob", "<img src=x onerror=eval(atob('{b64_js}'))>"),
    ("img-onerror-settimeout", "<img src=x onerror=setTimeout('{js}')>"),
    ("svg-discard-onbegin", "<svg><discard onbegin={js} />"),
    ("select-option-img", "<select><option><img src=x onerror={js}></option></select>"),
    (
        "button-popover-img",
        "<button popovertarget=q>x</button><div popover id=q><img src=x onerror={js}></div>",
    ),
    # javascript:, data: and vbscript: URLs, with entity and whitespace tricks
    ("a-javascript", '<a href="javascript:{js}">x</a>'),
    ("a-javascript-upper", '<a href="JAVASCRIPT:{js}">x</a>'),
    ("a-javascript-mixed", '<a href="JaVaScRiPt:{js}">x</a>'),
    ("a-javascript-tab-entity", '<a href="jav&#x09;ascript:{js}">x</a>'),
    ("a-javascript-newline-entity", '<a href="jav&#x0A;ascript:{js}">x</a>'),
    ("a-javascript-cr-entity", '<a href="jav&#x0D;ascript:{js}">x</a>'),
    ("a-javascript-tab-named", '<a href="javas&Tab;cript:{js}">x</a>'),
    ("a-javascript-newline-named", '<a href="javas&NewLine;cript:{js}">x</a>'),
    ("a-javascript-raw-tab", '<a href="java\tscript:{js}">x</a>'),
    ("a-javascript-raw-newline", '<a href="java\nscript:{js}">x</a>'),
    ("a-javascript-leading-space", '<a href="  javascript:{js}">x</a>'),
    ("a-javascript-leading-control", '<a href="\x01\x02javascript:{js}">x</a>'),
    ("a-javascript-leading-nul-entity", '<a href="&#0;javascript:{js}">x</a>'),
    ("a-javascript-leading-entity-14", '<a href="&#14;javascript:{js}">x</a>'),
    (
        "a-javascript-decimal",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}">x</a>',
    ),
    (
        "a-javascript-padded",
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058{js}">x</a>',
    ),
    (
        "a-javascript-hex-no-semicolon",
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A{js}">x</a>',
    ),
    ("a-javascript-colon-named", '<a href="javascript&colon;{js}">x</a>'),
    ("a-javascript-colon-decimal", '<a href="javascript&#58;{js}">x</a>'),
    ("a-javascript-colon-hex", "<a href=javascript&#x3A;{js}>x</a>"),
    ("a-javascript-zero-padded-tab", '<a href="java&#x0000000009;script:{js}">x</a>'),
    ("a-javascript-payload-entities", '<a href="javascript:{js_dec}">x</a>'),
    ("a-javascript-payload-hex", '<a href="javascript:{js_hex}">x</a>'),
    ("a-javascript-payload-percent", '<a href="javascript:{js_pct}">x</a>'),
    ("a-javascript-comment-newline", '<a href="javascript://%0a{js_pct}">x</a>'),
    ("a-javascript-unquoted", "<a href=javascript:{js}>x</a>"),
    ("a-javascript-backtick", "<a href=`javascript:{js}`>x</a>"),
    ("a-javascript-fullwidth", '<a href="ｊａｖａｓｃｒｉｐｔ：{js}">x</a>'),
    ("a-javascript-zero-width", '<a href="java\u200bscript:{js}">x</a>'),
    ("a-javascript-returns-html", "<a href=\"javascript:'&lt;img src=x onerror={js}&gt;'\">x</a>"),
    ("a-vbscript", '<a href="vbscript:msgbox({n})">x</a>'),
    ("a-vbscript-mixed-entity", '<a href="VBScr&#x09;ipt:msgbox({n})">x</a>'),
    ("a-data-upper-space", '<a href=" DATA:text/html;base64,{b64_html}">x</a>'),
    ("a-javascript-confirm", '<a href="javascript:confirm({n})">x</a>'),
    ("a-data-html", '<a href="data:text/html;base64,{b64_html}">x</a>'),
    ("a-data-html-plain", '<a href="data:text/html,&lt;script&gt;{js}&lt;/script&gt;">x</a>'),
    ("a-data-svg", '<a href="data:image/svg+xml;base64,{b64_svg}">x</a>'),
    ("a-unclosed", "<a href=javascript:{js}>click"),
    (
        "area-javascript",
        '<map name=m><area shape=rect coords=0,0,9,9 href="javascript:{js}"></map>',
    ),
    ("iframe-javascript", '<iframe src="javascript:{js}"></iframe>'),
    ("iframe-data", '<iframe src="data:text/html;base64,{b64_html}"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="&lt;script&gt;parent.{js}&lt;/script&gt;"></iframe>'),
    ("iframe-srcdoc-img", '<iframe srcdoc="&lt;img src=x onerror=parent.{js}&gt;"></iframe>'),
    ("iframe-srcdoc-numeric", '<iframe srcdoc="&#60;svg onload=parent.{js}&#62;"></iframe>'),
    (
        "iframe-srcdoc-nested",
        '<iframe srcdoc="&lt;iframe srcdoc=&amp;quot;&amp;lt;script&amp;gt;top.{js}&amp;lt;/script&amp;gt;&amp;quot;&gt;"></iframe>',
    ),
    ("object-javascript", '<object data="javascript:{js}"></object>'),
    ("object-data-html", '<object data="data:text/html;base64,{b64_html}"></object>'),
    ("embed-data-svg", '<embed src="data:image/svg+xml;base64,{b64_svg}">'),
    ("embed-javascript", '<embed src="javascript:{js}">'),
    ("form-action", '<form action="javascript:{js}"><input type=submit id=s></form>'),
    ("input-image-formaction", "<form><input type=image src=x formaction=javascript:{js}></form>"),
    ("button-formaction", "<form><button formaction=javascript:{js}>x</button></form>"),
    (
        "input-formaction",
        '<form id=f></form><input type=submit form=f formaction="javascript:{js}">',
    ),
    ("img-src-javascript", '<img src="javascript:{js}">'),
    ("img-dynsrc-lowsrc", '<img dynsrc="javascript:{js}" lowsrc="javascript:{js}">'),
    ("table-background", '<table background="javascript:{js}"><tr><td>x</td></tr></table>'),
    ("blockquote-cite", '<blockquote cite="javascript:{js}">q</blockquote>'),
    ("base-href", '<base href="javascript:/a/-{js}///">'),
    ("base-href-remote", '<base href="https://evil.example/"><a href="x" onclick={js}>x</a>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:{js}">'),
    ("meta-refresh-entity", '<meta http-equiv=refresh content="0;url=jav&#x09;ascript:{js}">'),
    (
        "meta-refresh-data",
        '<meta http-equiv="refresh" content="0;url=data:text/html;base64,{b64_html}">',
    ),
    (
        "meta-csp-override",
        '<meta http-equiv="Content-Security-Policy" content="script-src \'unsafe-inline\'"><script>{js}</script>',
    ),
    ("link-import", '<link rel=import href="data:text/html;base64,{b64_html}">'),
    ("link-stylesheet-js", '<link rel=stylesheet href="javascript:{js}">'),
    # srcset, xlink:href and style payloads
    (
        "img-srcset-javascript",
        '<img src="https://img.36krcdn.com/a.png" srcset="javascript:{js} 1x">',
    ),
    ("img-srcset-breakout", '<img srcset=",,,,,x onerror={js}">'),
    (
        "img-srcset-media-lookalike",
        '<img src=x srcset="/media/a.png 1x, javascript:{js} 2x" onerror={js}>',
    ),
    (
        "picture-source-srcset",
        '<picture><source srcset="javascript:{js}"><img src=x onerror={js}></picture>',
    ),
    ("img-srcset-data", '<img srcset="data:image/svg+xml;base64,{b64_svg} 1x" src=x onerror={js}>'),
    ("img-srcset-quote-breakout", '<img srcset="/media/a.png 1x&quot; onerror=&quot;{js}" src=x>'),
    ("img-sizes-breakout", '<img src=x sizes="100px&quot; onerror=&quot;{js}" alt="x">'),
    (
        "source-srcset-breakout",
        '<picture><source srcset="/media/a.png&quot;&gt;&lt;img src=x onerror={js}&gt;"><img src=/media/b.png></picture>',
    ),
    (
        "svg-set-href",
        "<svg><a><set attributeName=href to=javascript:{js} /><text x=9 y=9>x</text></a></svg>",
    ),
    (
        "svg-animate-xlink-href",
        "<svg><a xlink:href=#><animate attributeName=xlink:href values=javascript:{js} /><text x=9 y=9>x</text></a></svg>",
    ),
    (
        "svg-animate-entity-href",
        '<svg><a><animate attributeName=href values="&#106;avascript:{js}" /><text x=9 y=9>x</text></a></svg>',
    ),
    ("svg-use-xlink-data", '<svg><use xlink:href="data:image/svg+xml;base64,{b64_svg}#x" /></svg>'),
    ("svg-use-javascript", '<svg><use href="javascript:{js}" /></svg>'),
    (
        "svg-feimage-data",
        '<svg><filter id=f><feImage href="data:image/svg+xml;base64,{b64_svg}" /></filter></svg>',
    ),
    (
        "svg-foreignobject-a",
        '<svg><foreignObject><a href="javascript:{js}">x</a></foreignObject></svg>',
    ),
    ("math-mtext-a", '<math><mtext><a href="javascript:{js}">x</a></mtext></math>'),
    ("svg-a-xlink", '<svg><a xlink:href="javascript:{js}"><text x=9 y=9>x</text></a></svg>'),
    ("svg-a-href", '<svg><a href="javascript:{js}"><text x=9 y=9>x</text></a></svg>'),
    (
        "svg-animate-href",
        "<svg><a><animate attributeName=href values=javascript:{js} /><text x=9 y=9>x</text></a></svg>",
    ),
    ("svg-use-data", '<svg><use href="data:image/svg+xml;base64,{b64_svg}#x" /></svg>'),
    ("math-href", '<math href="javascript:{js}">x</math>'),
    (
        "math-maction-xlink",
        "<math><maction actiontype=statusline xlink:href=javascript:{js}>x</maction></math>",
    ),
    ("style-attr-url", '<div style="background-image:url(javascript:{js})">x</div>'),
    ("style-attr-expression", '<div style="width:expression({js})">x</div>'),
    ("style-attr-comment-split", '<p style="x:expr/**/ession({js})">x</p>'),
    ("style-attr-escaped", '<p style="background:url(&#1;javascript:{js})">x</p>'),
    (
        "style-attr-behavior",
        '<p style="behavior:url(#default#time2);-moz-binding:url(x.xml#x);x:expression({js})">x</p>',
    ),
    ("style-import", "<style>@import 'javascript:{js}';</style>"),
    ("style-url", '<style>*{background:url("javascript:{js}")}</style>'),
    (
        "style-list-image",
        '<style>li{list-style-image:url("javascript:{js}")}</style><ul><li>x</li></ul>',
    ),
    ("style-breakout", "<style></style><img src=x onerror={js}></style>"),
    ("style-attr-css-escape", '<p style="background:\\75 rl(javascript:{js})">x</p>'),
    ("style-attr-expression-entity", '<p style="x:&#101;xpression({js})">x</p>'),
    (
        "link-stylesheet-data-css",
        '<link rel=stylesheet href="data:text/css,*%7Bbackground:url(javascript:{js_pct})%7D">',
    ),
    # <svg>/<math> namespace confusion and mutation XSS
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror={js}>"),
    (
        "math-mglyph-comment",
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror={js}&gt;">',
    ),
    ("svg-p-style", '<svg></p><style><a id="</style><img src=1 onerror={js}>">'),
    (
        "form-math-mglyph",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>",
    ),
    (
        "math-textarea-path",
        '<math><mi><table><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror={js} src=1>">',
    ),
    ("svg-style-title", '<svg><p><style><g title="</style><img src=x onerror={js}>">'),
    ("svg-p-style-img", "<svg><p><style><img src=x onerror={js}>"),
    (
        "form-math-svg-textarea",
        '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror={js} src=1>">',
    ),
    (
        "math-mglyph-svg-style",
        '<math><mtext><table><mglyph><svg><mtext><style><path id="</style><img onerror={js} src>">',
    ),
    (
        "math-mi-mglyph-svg-title",
        "<math><mi><mglyph><svg><mtext><title><img src=x onerror={js}></title>",
    ),
    ("svg-style-cdata", "<svg><style><![CDATA[</style><img src=x onerror={js}>]]></style></svg>"),
    ("noscript-style", "<noscript><style></noscript><img src=x onerror={js}></style></noscript>"),
    ("noscript-comment", "<noscript><!--</noscript><img src=x onerror={js}>--></noscript>"),
    (
        "template-style-breakout",
        "<template><style></template><img src=x onerror={js}></style></template>",
    ),
    ("xmp-script", "<xmp></xmp><script>{js}</script>"),
    ("svg-style-img", "<svg><style><img src=x onerror={js}></style></svg>"),
    ("svg-title-img", "<svg><title><img src=x onerror={js}></title></svg>"),
    ("svg-desc-img", "<svg><desc><img src=x onerror={js}></desc></svg>"),
    ("math-style-img", "<math><style><img src=x onerror={js}></style></math>"),
    (
        "math-annotation-xml",
        '<math><annotation-xml encoding="text/html"><img src=x onerror={js}></annotation-xml></math>',
    ),
    ("svg-cdata", "<svg><![CDATA[><img src=x onerror={js}>]]></svg>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror={js}>"></noscript>'),
    ("template-img", "<template><img src=x onerror={js}></template>"),
    ("template-script", "<template><script>{js}</script></template>"),
    ("noembed-title", '<noembed><img title="</noembed><img src=x onerror={js}>"></noembed>'),
    ("xmp-title", '<xmp><img title="</xmp><img src=x onerror={js}>"></xmp>'),
    ("textarea-title", '<textarea><img title="</textarea><img src=x onerror={js}>"></textarea>'),
    ("title-title", '<title><img title="</title><img src=x onerror={js}>"></title>'),
    ("noframes-title", '<noframes><img title="</noframes><img src=x onerror={js}>"></noframes>'),
    ("iframe-content-title", '<iframe><img title="</iframe><img src=x onerror={js}>"></iframe>'),
    ("style-title", '<style><img title="</style><img src=x onerror={js}>"></style>'),
    ("plaintext", "<plaintext><img src=x onerror={js}>"),
    ("select-template", "<select><template><img src=x onerror={js}></template></select>"),
    ("table-mutation", "<table><caption><svg><style><img src=x onerror={js}></style></svg>"),
    # comments, CDATA and processing instructions
    ("comment-abrupt", "<!--><img src=x onerror={js}>-->"),
    ("comment-abrupt-dash", "<!---><img src=x onerror={js}>-->"),
    ("comment-bang-close", "<!-- --!><img src=x onerror={js}>-->"),
    ("comment-in-attribute", '<!--<img src="--><img src=x onerror={js}//">'),
    ("comment-conditional", "<!--[if gte IE 4]><script>{js}</script><![endif]-->"),
    ("comment-nested-dashes", "<!-- <!-- --><img src=x onerror={js}> -->"),
    ("cdata-script", "<![CDATA[><script>{js}</script>]]>"),
    ("processing-instruction", '<? foo="><script>{js}</script>">'),
    ("bogus-comment", "<!x><img src=x onerror={js}>"),
    ("end-tag-attrs", "</br onerror={js}><img src=x onerror={js}>"),
    ("doctype-inline", "<!DOCTYPE html><img src=x onerror={js}>"),
    # unclosed tags and attribute-quote breaking
    ("attr-break-svg", '"><svg onload={js}>'),
    ("attr-break-single", "'><svg onload={js}>"),
    ("attr-break-img", '"><img src=x onerror={js}>'),
    ("attr-break-autofocus", '" autofocus onfocus="{js}'),
    ("attr-break-mouseover", "' onmouseover='{js}"),
    ("attr-break-script", '"/><script>{js}</script>'),
    ("attr-break-backtick", "`><img src=x onerror={js}>"),
    ("attr-no-space", '<a href="https://example.com/"onmouseover="{js}">x</a>'),
    ("attr-title-markup", '<p title="</p><img src=x onerror={js}>">x</p>'),
    ("attr-encoded-markup", '<p title="&quot;&gt;&lt;img src=x onerror={js}&gt;">x</p>'),
    ("unclosed-img", "<img src=x onerror={js}//"),
    ("unclosed-svg", "<svg onload={js}//"),
    ("unclosed-iframe", "<iframe src=javascript:{js}"),
    ("unclosed-nested", "<p><b><i>unclosed <a href='javascript:{js}'>link"),
    # breakouts from title, textarea, script and JSON-LD contexts
    ("breakout-title", "</title><script>{js}</script>"),
    ("breakout-textarea", "</textarea><script>{js}</script>"),
    ("breakout-style", "</style><script>{js}</script>"),
    ("breakout-noscript", "</noscript><script>{js}</script>"),
    ("breakout-comment", "--><script>{js}</script>"),
    ("breakout-cdata", "]]><script>{js}</script>"),
    ("breakout-jsonld", '"}</script><script>{js}</script>'),
    ("breakout-jsonld-comment", "<!--<script>{js}</script>"),
    ("breakout-js-string", "';{js};//"),
    ("breakout-js-dquote", '\\";{js};//'),
    ("breakout-js-template", "${{js}}"),
    ("breakout-line-separators", "\u2028\u2029</script><script>{js}</script>"),
    (
        "polyglot-0xsobky",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk={js} )//%0D%0A%0d%0a//</stYle/"
        "</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd={js}//>\\x3e",
    ),
    # template injection (server- or client-side)
    ("template-django", "{{7*7}}{% debug %}{{ settings.SECRET_KEY }}<img src=x onerror={js}>"),
    ("template-angular", "{{constructor.constructor('{js}')()}}"),
    (
        "template-vue",
        "<div v-html=\"'<img src=x onerror={js}>'\">{{_c.constructor('{js}')()}}</div>",
    ),
    ("template-erb-jinja", "<%= {js} %>{{ ''.__class__ }}#{7*7}[[${7*7}]]"),
    # entity links (a.project-link) with hostile data-* attributes
    (
        "entity-link-data-name",
        '<a class="project-link" data-id="910001" data-name="x&quot;&gt;&lt;img src=x '
        'onerror={js}&gt;" data-logo="javascript:{js}" href="javascript:{js}">数据名</a>',
    ),
    (
        "entity-link-data-id",
        '<a class="project-link" data-id="1&quot;&gt;&lt;svg onload={js}&gt;" '
        'data-name="恶意编号" href="https://36kr.com/p/1">恶意编号</a>',
    ),
    (
        "entity-link-data-id-path",
        '<a class="project-link" data-id="../../admin/{n}" data-name="路径编号" '
        'href="https://36kr.com/p/2" onclick="{js}">路径编号</a>',
    ),
    (
        "entity-link-logo-breakout",
        '<a class="project-link" data-id="910002" data-name="标志公司" '
        'data-logo="https://img.36krcdn.com/a.png&quot; onerror=&quot;{js}" '
        'data-refer-type="&lt;script&gt;{js}&lt;/script&gt;" href="data:text/html;base64,'
        '{b64_html}">标志公司</a>',
    ),
    (
        "entity-link-text",
        '<a class="project-link" data-id="910003" data-name="文字公司">&lt;img src=x '
        "onerror={js}&gt;</a>",
    ),
    (
        "entity-link-handlers",
        '<a class="project-link" data-id="910004" data-name="事件公司" onclick="{js}" '
        'onmouseover="{js}" style="x:expression({js})" href="vbscript:msgbox({n})">事件公司</a>',
    ),
    # code blocks and the classes the sanitizer keeps (entity-link, img-desc,
    # editor-note-inline): a kept class must not carry anything else with it
    (
        "code-class-breakout",
        '<pre><code class="language-html&quot; onmouseover=&quot;{js}">x</code></pre>',
    ),
    ("code-allowed-class-handler", '<code class="entity-link" onclick="{js}">x</code>'),
    (
        "span-allowed-class-focus",
        '<span class="editor-note-inline" tabindex=1 autofocus onfocus="{js}">x</span>',
    ),
    ("pre-allowed-class-img", '<pre class="img-desc"><img src=x onerror={js}></pre>'),
    (
        "span-hljs-classes",
        '<pre><code class="hljs language-js"><span class="hljs-string" style="x:expression({js})" onmouseover="{js}">x</span></code></pre>',
    ),
    (
        "code-entity-link-javascript",
        '<code><a class="entity-link" href="javascript:{js}">x</a></code>',
    ),
    (
        "pre-project-link",
        '<pre><a class="project-link" data-id="910005" data-name="代码公司" href="javascript:{js}" onclick="{js}">代码公司</a></pre>',
    ),
    (
        "code-markup-inside",
        "<pre><code>&lt;/code&gt;&lt;/pre&gt;<img src=x onerror={js}></code></pre>",
    ),
    # Markdown bodies (raw HTML passes through Markdown, links get built by it)
    ("md-link-javascript", "正文 [点我](javascript:{js})"),
    ("md-link-javascript-case", "正文 [点我](JaVaScRiPt:{js})"),
    ("md-image-javascript", "正文 ![图](javascript:{js})"),
    ("md-image-attr-break", '正文 ![图](x" onerror="{js})'),
    ("md-link-title-break", '正文 [点我](https://example.com/ "x\\" onmouseover=\\"{js}")'),
    ("md-autolink", "正文 <javascript:{js}>"),
    ("md-reference", "正文 [点我][r]\n\n[r]: javascript:{js}"),
    ("md-link-data", "正文 [点我](data:text/html;base64,{b64_html})"),
    ("md-link-entity", "正文 [点我](&#106;avascript:{js})"),
    ("md-raw-html", "正文\n\n<div><img src=x onerror={js}></div>\n\n结尾"),
    ("md-code-span", "正文 `<script>{js}</script>` 与 <b onclick={js}>粗体</b>"),
    ("md-attr-list", '正文\n{: onmouseover="{js}" }'),
    ("md-attr-list-image", '正文 ![图](x){: onerror="{js}" }'),
    ("md-attr-list-heading", '# 标题 {: .entity-link onclick="{js}" }\n\n正文'),
    ("md-fence-attrs", '```{ .js onclick="{js}" }\ncode\n```'),
    ("md-fence-html", "```html\n<img src=x onerror={js}>\n```\n\n<img src=x onerror={js}>"),
    ("md-link-vbscript", "正文 [点我](vbscript:msgbox({n}))"),
    ("md-link-data-svg", "正文 [点我](data:image/svg+xml;base64,{b64_svg})"),
    ("md-html-block-script", "正文\n\n<script>\n{js}\n</script>\n\n结尾"),
]


def marker(n: int) -> str:
    return f"__xss({n})"


def _decimal(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


def _hex(text: str) -> str:
    return "".join(f"&#x{ord(c):x}" for c in text)


def render(template: str, n: int) -> str:
    """``template`` with its placeholders filled for marker number ``n``."""
    js = marker(n)
    document = f"<script>parent.{js};{js}</script>"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="x" onload="{js}"><script>{js}</script></svg>'
    )
    return (
        template.replace("{js_dec}", _decimal(js))
        .replace("{js_hex}", _hex(js))
        .replace("{js_pct}", quote(js, safe=""))
        .replace("{b64_html}", base64.b64encode(document.encode()).decode())
        .replace("{b64_svg}", base64.b64encode(svg.encode()).decode())
        .replace("{b64_js}", base64.b64encode(js.encode()).decode())
        .replace("{js}", js)
        .replace("{n}", str(n))
    )


def escaped(template: str, n: int) -> str:
    """The vector as text inside HTML (``&lt;img …``): what a parser reads back as the vector."""
    return html.escape(render(template, n), quote=True)


assert len({name for name, _ in VECTORS}) == len(VECTORS), "vector names must be unique"


# Where a vector is put, and the base of its marker numbers: vector i in placement p reports
# PLACEMENTS[p] + i, so a hit names both.
PLACEMENTS = {
    "body": 10_000,
    "title": 20_000,
    "summary": 30_000,
    "categories": 40_000,
    "tags": 50_000,
    "author": 60_000,
    "headimg": 70_000,
    "thumbnail": 80_000,
    "date": 90_000,
    "comments": 100_000,
    "attribution-url": 110_000,
    "attribution-outlet": 120_000,
    "attribution-id": 130_000,
    "attribution-author": 140_000,
    "entity-name": 150_000,
    "file-name": 160_000,
}
_STEP = 10_000


def describe(hit: int | str) -> str:
    """A marker (``12345``, or what a wrapped dialog reported: ``alert:12345``) as
    ``placement/vector-name`` (for failure messages)."""
    found = re.search(r"\d+", str(hit))
    if not found:
        return f"unknown marker {hit!r}"
    number = int(found[0])
    placement = next((p for p, base in PLACEMENTS.items() if base == number // _STEP * _STEP), "?")
    index = number % _STEP
    name = VECTORS[index][0] if index < len(VECTORS) else "?"
    return f"{placement}/{name} ({hit})"


def _yaml(value) -> str:
    # JSON is YAML: a double-quoted scalar with \\uXXXX escapes survives PyYAML unchanged
    # (U+2028 would otherwise be a line break, control characters would be refused).
    return json.dumps(value, ensure_ascii=True)


def _compact(text: str) -> str:
    """The vector as a name: no spaces, quotes or parentheses, which end a name in a credit
    line, yet still a working payload if ever written out unescaped."""
    return (
        text.replace(" ", "/")
        .replace("\n", "/")
        .replace("(", "&#40;")
        .replace(")", "&#41;")
        .replace('"', "&#34;")
    )


def _indices(which: int | Sequence[int]) -> list[int]:
    return [which] if isinstance(which, int) else list(which)


def _file_name(prefix: str, indices: list[int]) -> str:
    if len(indices) == 1:
        return f"{prefix}-{indices[0]:03d}-{VECTORS[indices[0]][0]}.md"
    return f"{prefix}-" + "-".join(f"{i:03d}" for i in indices) + ".md"


def hostile_file(which: int | Sequence[int], *, date: str = "2024-03-01 08:00:00"):
    """An import file (name, bytes) carrying vector ``which`` (or each of several) in the body,
    the title, every front-matter field but the date, an entity link's ``data-name`` and every
    part of a credit line.

    With several vectors the text fields hold them one after another (the importer cuts a
    title at 300 characters and an author at 100), list fields (categories, a path; tags)
    one per item, and the body one entity link and one credit line per vector; the first
    credit line's outlet and account id are the ones the source gets.
    """
    indices = _indices(which)

    def v(placement: str, i: int) -> str:
        return render(VECTORS[i][1], PLACEMENTS[placement] + i)

    def joined(placement: str) -> str:
        return " ".join(v(placement, i) for i in indices)

    first = indices[0]
    header = f"https://img.36krcdn.com/hostile/{first}.png?"
    # Odd files: a header image URL that is http(s) with the vector in it (kept, then
    # escaped); even ones: the bare vector (refused with a warning naming it).
    web = bool(first % 2)
    meta = [
        f"title: {_yaml(joined('title'))}",
        f"date: {_yaml(date)}",
        f"categories: {_yaml([v('categories', i) for i in indices])}",
        f"tags: {_yaml([*(v('tags', i) for i in indices), '安全测试'])}",
        f"author: {_yaml(joined('author'))}",
        f"headimg: {_yaml((header if web else '') + joined('headimg'))}",
        f"thumbnail: {_yaml((header if web else '') + joined('thumbnail'))}",
        f"comments: {_yaml(joined('comments'))}",
        f"summary: {_yaml(joined('summary'))}",
    ]
    names = "、".join(VECTORS[i][0] for i in indices)
    parts = [f"<p>第 {first} 篇安全测试文章，检查向量 {html.escape(names)} 是否被清理干净。</p>"]
    for i in indices:
        entity = html.escape(v("entity-name", i))
        parts.append(
            f'<p>这篇文章提到了<a class="project-link" data-id="95{i:04d}" data-name="{entity}" '
            f'href="https://36kr.com/projectDetails/95{i:04d}">腾讯</a>的新产品。</p>'
        )
    for i in indices:
        url = v("attribution-url", i)
        url = ("https://mp.weixin.qq.com/s/" + url) if i % 2 else url
        parts.append(
            f'<p class="editor-note">本文来自微信公众号<a href="{html.escape(url)}">'
            f"“{html.escape(_compact(v('attribution-outlet', i)))}”"
            f"（ID:{html.escape(_compact(v('attribution-id', i)))}）</a>，"
            f"作者：{html.escape(_compact(v('attribution-author', i)))}，36氪经授权发布。</p>"
        )
    bodies = [v("body", i) for i in indices]
    # The credit and the entity links come first: a vector that swallows what follows it
    # (an unclosed <textarea>) must not hide them. Markdown must start the body.
    if VECTORS[first][0].startswith("md-"):
        parts = bodies + parts
    else:
        parts += bodies
    text = "---\n" + "\n".join(meta) + "\n---\n" + "\n\n".join(parts) + "\n"
    return _file_name("hostile", indices), text.encode()


def hostile_date_file(which: int | Sequence[int]) -> tuple[str, bytes]:
    """A file whose only hostile field is the date: it stays a draft, with a warning."""
    indices = _indices(which)
    date = " ".join(render(VECTORS[i][1], PLACEMENTS["date"] + i) for i in indices)
    names = "、".join(VECTORS[i][0] for i in indices)
    text = (
        f"---\ntitle: {_yaml(f'日期测试 {indices[0]}')}\ndate: {_yaml(date)}\n---\n"
        f"<p>日期字段含有向量 {html.escape(names)} 的测试文章。</p>\n"
    )
    if len(indices) == 1:
        return f"hostile-date-{indices[0]:03d}.md", text.encode()
    return _file_name("hostile-date", indices), text.encode()


def _swallows(i: int) -> bool:
    """Whether vector ``i`` hides what follows it in a body (an unclosed <textarea>)."""
    from articles.ingest import render_body

    return "哨兵" not in render_body(render(VECTORS[i][1], 1) + "<p>哨兵</p>", [])


def groups(size: int = 3) -> list[list[int]]:
    """Every vector once, ``size`` to a file: Markdown ones together (a Markdown body must
    start with Markdown), and at most one vector that swallows the rest, placed last."""
    markdown = [i for i, (name, _) in enumerate(VECTORS) if name.startswith("md-")]
    others = [i for i in range(len(VECTORS)) if i not in markdown]
    swallowing = [i for i in others if _swallows(i)]
    plain = [i for i in others if i not in swallowing]
    count = max(-(-len(others) // size), len(swallowing))
    result: list[list[int]] = [[] for _ in range(count)]
    for n, i in enumerate(plain):
        result[n % count].append(i)
    for n, i in enumerate(swallowing):
        result[n].append(i)
    result += [markdown[n : n + size] for n in range(0, len(markdown), size)]
    return [g for g in result if g]


def hostile_file_name(i: int) -> str:
    """A zip entry name carrying vector ``i`` (slashes make folders, which is fine)."""
    return render(VECTORS[i][1], PLACEMENTS["file-name"] + i).replace("\n", " ") + ".md"
