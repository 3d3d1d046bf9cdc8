"""Every answer under /api/ is JSON, even where no API view ran: an unknown address, a method
other than GET, a request Django refused before routing it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PATH = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH)


def message(status: int) -> str:
    if status == 404:
        return _("Not found.")
    if status == 405:
        return _("The API answers GET requests only.")
    if status < 500:
        return _("The request could not be read.")
    return _("The server could not answer; try again later.")


class JsonErrors:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            answer = JsonResponse(
                {"detail": message(response.status_code)},
                status=response.status_code,
                content_type="application/json; charset=utf-8",
                json_dumps_params={"ensure_ascii": False},
            )
            for header in ("Allow", "Retry-After", "Vary", "Content-Language"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
