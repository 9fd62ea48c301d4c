"""Preview an article from the change form's unsaved data, with the public templates.

Nothing is written: the form and its inline formsets are validated and applied to in-memory
objects, the body is rendered as saving would render it, and ``articles/detail.html`` is rendered
with the same context as the public page (``article_page.article_context``).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from taggit.models import Tag

from articles import seo
from articles.article_page import article_context
from articles.importer import mentions_from_body
from articles.mentions import entity_key, is_link, kept_verdict
from articles.models import Article, Attribution, Entity, Mention
from articles.rendering import set_rendering


def _mention_rows(article: Article, body_changed: bool, formsets) -> list[tuple]:
    """(canonical entity or None, verdict) per entity anchor of the body, as saving would give."""
    current: dict[int, Mention] = {}
    if article.pk:
        mentions = Mention.objects.filter(article=article).select_related("entity__merged_into")
        current = {m.position: m for m in mentions}
        for formset in formsets:
            if formset.model is Mention and formset.is_valid():
                # Verdicts (and entities) changed in the form but not saved yet.
                for form in formset.initial_forms:
                    current[form.instance.position] = form.instance
    if article.pk and not body_changed:
        return [
            (current[p].entity.merged_into or current[p].entity, current[p].verdict)
            for p in sorted(current)
        ]
    parsed = mentions_from_body(article.body)
    keys = {entity_key(d) for d in parsed}
    entities = {
        e.provider_id: e.merged_into or e
        for e in Entity.objects.filter(provider_id__in=keys).select_related("merged_into")
    }
    rows = []
    for position, data in enumerate(parsed):
        entity = entities.get(entity_key(data))
        verdict = data.verdict
        old = current.get(position)
        if kept_verdict(old, entity, data.text):
            verdict = old.verdict
        rows.append((entity, verdict))
    return rows


def render_preview_body(article: Article, body_changed: bool, formsets) -> list[Entity]:
    """Render the article as a save would; return the entities it links, in order."""
    links, linked = [], {}
    for entity, verdict in _mention_rows(article, body_changed, formsets):
        # An entity the body names but the database does not know yet renders as text.
        if is_link(entity, verdict):
            links.append(entity.get_absolute_url())
            linked.setdefault(entity.pk, entity)
        else:
            links.append(None)
    set_rendering(article, links=links, images={})
    return list(linked.values())


def _tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [
        existing.get(n) or Tag(name=n, slug=slugify(n, allow_unicode=True) or "tag") for n in names
    ]


def _attribution(formsets) -> Attribution:
    for formset in formsets:
        if formset.model is Attribution and formset.is_valid():
            for form in formset.forms:
                if form in formset.deleted_forms:
                    continue
                if form.instance.pk or form.has_changed():
                    return form.instance
    return Attribution()


def preview_view(model_admin, request, object_id=None):
    """POST target of the change form's "预览" button; renders, never saves.

    Wrapped by ``admin_view``, which makes the response uncacheable."""
    obj = None
    if object_id is not None:
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("文章不存在。")
        if not model_admin.has_change_permission(request, obj):
            raise PermissionDenied
    elif not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        if obj is not None:
            return redirect("admin:articles_article_change", obj.pk)
        return redirect("admin:articles_article_add")

    original_body = obj.body if obj is not None else ""
    ModelForm = model_admin.get_form(request, obj, change=obj is not None)
    form = ModelForm(request.POST, request.FILES, instance=obj)
    valid = form.is_valid()
    article = form.instance
    formsets, _ = model_admin._create_formsets(request, article, change=obj is not None)
    invalid = [f for f in formsets if not f.is_valid()]
    if not valid or invalid:
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "无法预览",
            "opts": model_admin.opts,
            "form": form,
            "formsets": invalid,
            "original": obj,
        }
        return TemplateResponse(
            request, "admin/articles/article/preview_invalid.html", context, status=400
        )

    article.attribution = _attribution(formsets)
    entities = render_preview_body(article, article.body != original_body, formsets)
    tags = _tags(form.cleaned_data.get("tags") or [])
    context = article_context(article, preview=True)
    about = [e for e in entities if e.name in article.title]
    context.update(
        tags=tags,
        entities=entities,
        ld_article=seo.article_jsonld(article, entities=entities, tags=tags, about=about),
    )
    response = TemplateResponse(request, "articles/detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
