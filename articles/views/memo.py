"""``versioned_context``: a reader page renders its template on every request, but computes
its context once per content version in each process (``articles.versioned``)."""

from functools import wraps

from django.template.response import TemplateResponse

from articles import versioned


def versioned_context(view):
    """Keep the template and context of a view's 200 ``TemplateResponse`` (and the headers
    it set) under the request's content version and full path; serve the next request for
    that path by rendering them again. Redirects, 404s and 410s are computed every time.

    Goes inside ``public_cache``, which reads the version (only for anonymous GET and HEAD
    requests: anything else has no version and is never memoized).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        version = versioned.version_of(request)
        if version is None:
            return view(request, *args, **kwargs)
        key = ("page", request.get_full_path())
        kept = versioned.pages.get(version, key)
        if kept is not None:
            template, context, headers = kept
            response = TemplateResponse(request, template, context)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if (
            isinstance(response, TemplateResponse)
            and response.status_code == 200
            and not response.is_rendered
        ):
            context = {k: v for k, v in response.context_data.items() if k != "view"}
            headers = {k: v for k, v in response.headers.items() if k != "Content-Type"}
            versioned.pages.put(version, key, (response.template_name, context, headers))
        return response

    return wrapper
