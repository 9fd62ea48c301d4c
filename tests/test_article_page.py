"""The article page's context (``articles.article_page``), outside any request."""

from articles.models import Article


def test_article_context_renders_an_unsaved_article(db):
    from django.template.loader import render_to_string

    from articles.article_page import article_context

    article = Article(title="未保存的文章", summary="摘要", body_html="<p>正文</p>")
    html = render_to_string("articles/detail.html", article_context(article, preview=True))
    assert "未保存的文章" in html and "noindex" in html
