"""``{% article_card %}``: one article in a list (home, lists, related articles).

    {% load cards %}
    {% article_card article level=3 %}  {% article_card article lead=True %}  compact=True

A list page draws twenty of these, so the card is put together here with ``format_html``
(escaping every value) from ``article.card``, which ``articles.listing.attach_cards`` fills,
rather than by an included template: the same markup for about a tenth of the time.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.pictures import picture_html

register = template.Library()

LEAD_IMAGE = {"width": 1200, "height": 675, "sizes": "(max-width: 48rem) 100vw, 30rem"}


@register.simple_tag
def article_card(article, level=2, lead=False, compact=False):
    c = article.card
    image = ""
    if c["image"]:
        drawn = (
            picture_html(article.thumbnail_picture, c["image"], priority=True, **LEAD_IMAGE)
            if lead
            else c["image_html"]
        )
        image = format_html(
            '<a class="card-image" href="{}" tabindex="-1" aria-hidden="true">{}</a>',
            c["url"],
            drawn,
        )
    summary = ""
    if c["summary"] and not compact:
        summary = format_html('<p class="card-summary">{}</p>', c["summary"])
    meta = [format_html('<time datetime="{}">{}</time>', c["date_iso"], c["date_text"])]
    if c["source"]:
        meta.append(format_html('<span class="card-source">{}</span>', c["source"]))
    if not compact:
        if c["category"]:
            meta.append(format_html('<span class="card-category">{}</span>', c["category"]))
        meta.append(
            format_html_join("", '<span class="card-tag">#{}</span>', ((t,) for t in c["tags"]))
        )
    level = int(level)
    return format_html(
        '<article class="card{}">{}<div class="card-text"><h{} class="card-title">'
        '<a href="{}">{}</a></h{}>{}<p class="card-meta">{}</p></div></article>',
        " card-lead" if lead else "",
        image,
        level,
        c["url"],
        article.title,
        level,
        summary,
        mark_safe("\n".join(meta)),
    )
