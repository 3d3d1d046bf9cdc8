"""Who calls the API: a personal key (people.ApiKey) in the Authorization header acts as its
user through the gate; no key at all is an anonymous caller, answered only while
DASHBOARD_PUBLIC is on and only with open data (closed quarters, approved reports)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ipware import get_client_ip
from ninja.errors import HttpError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from people.access import reach
from people.models import ApiKey, KeyRefused

# Names a key might be sent under in the address, where logs and browser histories keep it.
KEY_PARAMETERS = {"key", "api_key", "apikey", "token", "access_token", "authorization"}


class Caller:
    """The request's caller: `key` None for an anonymous one."""

    def __init__(self, user, key: ApiKey | None = None) -> None:
        self.user, self.key = user, key

    @property
    def anonymous(self) -> bool:
        return self.key is None

    def __str__(self) -> str:
        return f"key:{self.key.pk}" if self.key else "anonymous"


class KeyOrPublic(HttpBearer):
    """`Authorization: Bearer zzm_…`; with no header, the public (DASHBOARD_PUBLIC) caller."""

    openapi_description = "A personal API key the office issued: Authorization: Bearer zzm_…"

    def __call__(self, request: HttpRequest) -> Caller | None:
        if KEY_PARAMETERS & {name.lower() for name in request.GET}:
            raise HttpError(
                400, _("An API key travels in the Authorization header, never in the address.")
            )
        if "Authorization" not in request.headers:
            if settings.DASHBOARD_PUBLIC:
                return self.acting(request, Caller(AnonymousUser()))
            raise HttpError(401, _("This API needs a key: send Authorization: Bearer <key>."))
        scheme, _space, secret = request.headers["Authorization"].partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HttpError(401, _("Send the key as Authorization: Bearer <key>."))
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        try:
            key = ApiKey.objects.acting(token, timezone.localdate())
        except KeyRefused as refused:
            # Guessing keys costs the guesser's address its rate, as calling does.
            if not Refusals().allow_request(request):
                raise Throttled(wait=60) from None
            raise HttpError(401, str(refused)) from None
        if not reach(key.user).has_role:
            raise HttpError(
                403,
                _("The API key's account holds no role: the office gives it one to read."),
            )
        key.used(timezone.now())
        return self.acting(request, Caller(key.user, key))

    @staticmethod
    def acting(request: HttpRequest, caller: Caller) -> Caller:
        # The gate and the figures read request.user: the key's user, never a browser session.
        request.user = caller.user
        return caller


class PerKey(SimpleRateThrottle):
    """Requests per key (or per address for anonymous callers) in a sliding window.

    The instance keeps the request's count on itself while it decides, as ninja's throttles
    do: one request at a time per process, as gunicorn's sync workers serve them."""

    scope = "api"
    THROTTLE_RATES = {"api": None}

    def __init__(self) -> None:
        super().__init__(settings.API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # The rate as the settings say now (they are read once at import otherwise).
        self.num_requests, self.duration = self.parse_rate(settings.API_RATE)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        # The client's address as django-axes reads it: X-Forwarded-For only from the proxies
        # the settings trust, never as the client wrote it.
        address, _routable = get_client_ip(
            request,
            proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
            proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
            request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
        )
        return address or "unknown"

    def get_cache_key(self, request: HttpRequest) -> str:
        caller = getattr(request, "auth", None)
        ident = f"key{caller.key.pk}" if caller and caller.key else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Refusals(PerKey):
    """Refused keys, counted per address."""

    scope = "api-refused"

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
