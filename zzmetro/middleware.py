import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
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
    said nothing of caching itself."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = "Authorization" in request.headers or (user and user.is_authenticated)
        if personal and "Cache-Control" not in response:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
