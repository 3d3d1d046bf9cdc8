"""What a city's reporter downloads and sees of her own entries: the entry template of a
quarter, and the photos of project updates (served only to who may see the update)."""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from investment import entry
from investment.models import ProjectPhoto, ProjectUpdate
from investment.photos import photo_response
from people.access import reach, readers_only
from plan.models import City
from plan.spreadsheets import XLSX


@readers_only
def entry_template(request: HttpRequest, year: int) -> FileResponse:
    """?city=<slug>&quarter=N: a city's entry sheet, to fill in Excel and import.

    For the office and that city's reporter only: its "reported before" column is the city's
    own record. Anyone else gets a 404; an anonymous visitor the sign-in, whatever
    DASHBOARD_PUBLIC says.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = get_object_or_404(reach(request.user).plans(), year=year)
    city = get_object_or_404(City.objects.by_slug(request.GET.get("city", "")))
    if not reach(request.user).acts_for(city):
        raise Http404
    quarter = request.GET.get("quarter", "")
    if quarter not in ("1", "2", "3", "4"):
        raise Http404
    return FileResponse(
        entry.entry_template(plan, city, int(quarter)),
        as_attachment=True,
        filename=f"zzmetro-{plan.year}Q{quarter}-{city.slug}-entry.xlsx",
        content_type=XLSX,
    )


def project_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A project update's photo, for who may see the update: the only address of a photo.

    Signed-in only, whatever DASHBOARD_PUBLIC says: a photo can show people and sites. A
    photo of an update the user may not see is a 404, as if there were none.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    updates = ProjectUpdate.objects.visible_to(request.user)
    photo = get_object_or_404(ProjectPhoto.objects.filter(update__in=updates), pk=pk)
    return photo_response(photo)
