import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache  # A load balancer asks whether the process answers now.
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the process answers. Touches no database, so it stays cheap."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def keepalive(request: HttpRequest) -> HttpResponse:
    """A page left open asks to keep its sign-in (the session is renewed by the request, see
    SessionRenewalMiddleware): 204 while signed in, 401 once the session is gone."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session["_renewed"] = 0  # Renewed now, whatever the last minute saw.
    return HttpResponse(status=204)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that cannot be reached is a 503 with a plain page, not a 500.

    Django routes every unhandled exception here, in a view or in a middleware (saving the
    session, say), so the page is the same wherever the connection broke. The next request
    opens a fresh connection, so the site recovers by itself once the database is back.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        # Standalone template: rendering it must not need the database.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused before any view saw it, said in the reader's words
    where the cause is one a person can act on (too many files, too many fields, too large)."""
    message = ""
    if isinstance(exception, TooManyFilesSent):
        message = _(
            "Too many files were sent at once (at most %(count)d). Go back and choose fewer."
        ) % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    elif isinstance(exception, TooManyFieldsSent | RequestDataTooBig):
        message = _("The form sent was too large to be read. Go back and send less at once.")
    page = loader.render_to_string("400.html", {"message": message}, request=request)
    return HttpResponseBadRequest(page)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the site's page, saying why only where the view wrote the reason for a
    reader (an Http404 marked `public`), never Django's English "No City matches ..."."""
    message = str(exception) if getattr(exception, "public", False) else ""
    page = loader.render_to_string("404.html", {"message": message}, request=request)
    return HttpResponseNotFound(page)
