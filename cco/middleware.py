"""Request-wide rules: text no database can store is refused, and private answers are not cached."""

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

# NUL, which PostgreSQL refuses in text, and lone UTF-16 surrogates, which cannot be encoded
# for any database or page. Both only ever come from hostile or broken clients.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
LONGEST_NAME = 80


def forbidden_character(value: str) -> str | None:
    """What is wrong with `value` ("NUL", "a lone surrogate"), or None when nothing is."""
    match = FORBIDDEN.search(value)
    if match is None:
        return None
    return "NUL" if match.group() == "\x00" else "a lone surrogate"


def printable(name: str) -> str:
    """A field name fit to show back: forbidden characters spelled out, long names cut."""
    shown = FORBIDDEN.sub(lambda match: f"\\u{ord(match.group()):04x}", name)
    return shown if len(shown) <= LONGEST_NAME else shown[: LONGEST_NAME - 1] + "…"


def refusal(name: str, problem: str) -> str:
    return f"{printable(name)} contains a character that is not allowed ({problem})."


class ForbiddenCharactersMiddleware:
    """Answers 400 naming the field when the path, a query parameter, a form field or a cookie
    holds NUL or a lone surrogate, before any view passes it to the database (which answered
    500). JSON bodies are checked by the API's parser (cco/parsers.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            for name, value in self._texts(request):
                problem = forbidden_character(value)
                if problem is not None:
                    return self._refuse(request, name, refusal(name, problem))
        except MultiPartParserError as error:
            # A broken multipart body (no boundary, a part's headers over Django's limit) is
            # found here, where the form is first read: answered in the API's own shape.
            return self._refuse(request, "body", f"The multipart body cannot be read: {error}")
        return self.get_response(request)

    def _texts(self, request: HttpRequest) -> Iterable[tuple[str, str]]:
        """(field name, text) for every piece of text the request carries outside a JSON body."""
        yield "path", request.path
        sources = [request.GET, request.COOKIES]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.POST)
            for name in request.FILES:
                yield name, name
                for upload in request.FILES.getlist(name):
                    yield f"{name} (file name)", upload.name or ""
        for source in sources:
            for name in source:
                yield name, name
                values = source.getlist(name) if hasattr(source, "getlist") else [source[name]]
                for value in values:
                    yield name, value

    def _refuse(self, request: HttpRequest, name: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
            return JsonResponse({printable(name): [message]}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class PrivateAnswersMiddleware:
    """`Cache-Control: no-store` (Django's never-cache headers) on every answer to a signed-in
    person or a program sending credentials: pages, CSV downloads and API answers hold
    figures and names no shared cache or browser history should keep."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
        return response
