"""The quarterly bulletin's pages and files, and the list of those issued."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from bulletins import files as bulletin_files
from bulletins.content import content, load
from bulletins.models import Bulletin
from bulletins.text import Content
from figures.pages import figures_for, quarter_context
from figures.rollups import Figures
from people.access import reach, readers_only
from plan.models import Plan
from plan.spreadsheets import XLSX
from tasks.years import year_links


def shown(request: HttpRequest, figures: Figures) -> tuple[Bulletin | None, Content | None]:
    """The quarter's bulletin as the reader may see it: frozen once issued; before that the
    office's preview, with its draft 下步工作, and nothing for anyone else."""
    bulletin = Bulletin.objects.filter(plan=figures.plan, quarter=figures.as_of).first()
    if bulletin is not None and bulletin.is_issued:
        return bulletin, load(bulletin.content)
    if reach(request.user).office:
        return bulletin, content(figures, bulletin.next_steps if bulletin else "")
    return bulletin, None


@readers_only
def bulletin_detail(request: HttpRequest, year: int, file_as: str = "") -> HttpResponse:
    figures = figures_for(request, year)
    bulletin, found = shown(request, figures)
    if found is None:
        context = {**quarter_context(request, figures), "bulletin": bulletin}
        return render(request, "bulletins/bulletin_missing.html", context, status=404)
    issued = bulletin is not None and bulletin.is_issued
    # An issued bulletin is frozen; it says so when the figures have moved since.
    live = Figures(figures.plan, figures.as_of, found.approved_only)
    revised = issued and not found.same_figures(content(live))
    if file_as:
        return bulletin_files.response(request, found, bulletin, revised, file_as)
    context = {**quarter_context(request, figures), "bulletin": bulletin, "content": found}
    context |= {"issued": issued, "revised": revised}
    context["may_issue"] = reach(request.user).office and not issued
    return render(request, "bulletins/bulletin.html", context)


def listed(request: HttpRequest, plan: Plan):
    """The plan's bulletins the reader may see (a draft is the office's), latest first."""
    # Each row's link names the plan's year: read with the rows, not once a row.
    bulletins = Bulletin.objects.filter(plan=plan).select_related("plan", "issued_by")
    if not reach(request.user).office:
        bulletins = bulletins.issued()
    return bulletins.order_by("-quarter")


@readers_only
def bulletin_list(request: HttpRequest, year: int, file_as: str = "") -> HttpResponse:
    plan = get_object_or_404(reach(request.user).plans(), year=year)
    bulletins = listed(request, plan)
    if file_as == "xlsx":
        return FileResponse(
            bulletin_files.list_workbook(plan, bulletins),
            as_attachment=True,
            filename=f"zzmetro-{year}-bulletins.xlsx",
            content_type=XLSX,
        )
    context = {"plan": plan, "bulletins": bulletins, "query": ""}
    context["years"] = year_links(request, plan)
    return render(request, "bulletins/bulletins.html", context)
