import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

# The API answers in the language Accept-Language asks for, Chinese by default.
MACHINE_PATHS = ("/api/",)


def asked_language(request: HttpRequest) -> str:
    """The first supported language the Accept-Language header asks for; Chinese otherwise."""
    header = request.headers.get("Accept-Language", "")[:200]
    for code, _quality in parse_accept_lang_header(header):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the visitor chose another language with the switch.

    The browser's Accept-Language is ignored on purpose: office machines are often set up in
    English, and the dashboard must still open in Chinese for the officials who use it.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(MACHINE_PATHS):
            # Programs, not browsers, call these: they ask with Accept-Language, and only so.
            translation.activate(asked_language(request))
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The page depends on the language cookie, not on Accept-Language.
        machine = request.path_info.startswith(MACHINE_PATHS)
        patch_vary_headers(response, ["Accept-Language" if machine else "Cookie"])
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SessionRenewalMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request; each request renews them.

    At most once a minute, so reading page after page does not write the session every time
    (Django's SESSION_SAVE_EVERY_REQUEST would).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a request that read the session (a page, not /healthz) renews it.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get("_renewed", 0) >= 60:
                session["_renewed"] = now  # Saved by SessionMiddleware, with a new expiry.
        return response


class PrivateAnswers:
    """An answer for a signed-in user, or for an API key, is hers alone: no shared proxy and no
    browser's disk may keep it (a leader's figures, a city's drafts). Says so where the view
    said nothing of caching itself.

    What the public reads (DASHBOARD_PUBLIC on: the pages, files, open data, the API without a
    key) is the same for everyone: its files and data may be kept PUBLIC_CACHE_SECONDS by
    anyone (a figure saved since shows that much later), varying on Authorization (a key reads
    more at the same address). Its pages may not be shared: each carries the visitor's own CSRF
    token (the language switch posts); nor may any answer that sets a cookie.

    It stands outside the session and CSRF middleware, so that it sees the cookies they set;
    request.user was set on the way in."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if "Authorization" in request.headers or (user and user.is_authenticated):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        elif request.method in ("GET", "HEAD") and response.status_code == 200:
            page = response.get("Content-Type", "").startswith("text/html")
            if page or response.cookies:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
                patch_vary_headers(response, ["Authorization"])
        return response


# Already compressed: gzip would spend time to gain nothing (and streams them longer).
PACKED = (
    "image/",
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.",
)


class Compression(GZipMiddleware):
    """Pages, CSV and JSON gzipped for a client that accepts it (the sample world's overview
    shrinks from 37 KB to 7). Django's, not the proxy's: it pads each answer by a random length
    against BREACH, and the CSRF token is masked afresh in every page (README: Deployment).
    Files that are compressed already pass as they are."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.get("Content-Type", "").startswith(PACKED):
            return response
        return super().process_response(request, response)
