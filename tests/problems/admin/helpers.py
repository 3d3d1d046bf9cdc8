"""What the problem-list admin tests share: the admin's addresses, the forms' data, and how a
refusal is read (the fixtures are in conftest.py)."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from problems.models import Problem

Status = Problem.Status
PROBLEMS = "/admin/problems/problem/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    output = BytesIO()
    Image.new("RGB", (4, 3), "red").save(output, "JPEG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def raise_data(task, city, **changes) -> dict:
    data = {
        "task": task.pk,
        "project": "",
        "city": city.pk,
        "title": "城际站点用地未落实",
        "description": "开封段站房用地指标尚未落实，影响年内开工。",
        "kind": "land",
        "seen_version": "",
    }
    return {**data, **changes}


def step_url(problem, step: str) -> str:
    return f"{PROBLEMS}{problem.pk}/{step}/"


def assign_data(problem, unit, deadline, **changes) -> dict:
    data = {
        "unit": unit.pk if unit else "",
        "deadline": deadline.isoformat() if deadline else "",
        "leader": "王副市长",
        "text": "请于月底前答复",
        "seen_version": problem.version,
    }
    return {**data, **changes}


def refused(response) -> str:
    """The page of a refused form, its errors on it."""
    assert response.status_code == 200
    return response.content.decode()


def unchanged(problem) -> None:
    """Nothing of a refused step was kept: the problem as it was, its thread one raised entry."""
    version, status = problem.version, problem.status
    problem.refresh_from_db()
    assert (problem.version, problem.status) == (version, status)
    assert list(problem.entries.values_list("kind", flat=True)) == ["raised"]
