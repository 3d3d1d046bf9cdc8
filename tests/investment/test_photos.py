"""Photos of project updates: only JPEG and PNG within the limits, re-encoded without EXIF,
at most six an update, and served only to who may see the update.

Every image is made here, in memory and tiny; the pixel limits are met with PNG headers that
claim huge sizes, never with huge images.
"""

import struct
import zlib
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from PIL import ExifTags, Image

from investment.models import MAX_PHOTOS, ProgressReport, ProjectPhoto, ProjectUpdate
from investment.photos import ProjectPhotoInline, checked_photo
from people.models import Reporter
from people.roles import REPORTER
from tasks.models import Project
from tests.builders import make_project, make_report, make_update, make_world

Status = ProjectUpdate.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


# The images ---------------------------------------------------------------------------------


def camera_exif() -> Image.Exif:
    """What a phone writes: where (GPS), when, and that the picture is turned on its side."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turned 90°: the stored photo is upright
    exif[ExifTags.Base.DateTime] = "2021:03:15 10:20:30"
    exif[ExifTags.Base.Model] = "某品牌手机"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (34.0, 45.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (113.0, 39.0, 0.0),
    }
    return exif


def jpeg(taken: str | None = "2021:03:14 09:08:07") -> bytes:
    """A 4 × 3 JPEG with GPS, a capture time and orientation 6."""
    exif = camera_exif()
    if taken:
        exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: taken}
    output = BytesIO()
    Image.new("RGB", (4, 3), "red").save(output, "JPEG", exif=exif, comment=b"site 7")
    return output.getvalue()


def png() -> bytes:
    """A 4 × 3 PNG with GPS in its eXIf chunk and a capture time (DateTime only)."""
    output = BytesIO()
    Image.new("RGBA", (4, 3), "blue").save(output, "PNG", exif=camera_exif())
    return output.getvalue()


def gif() -> bytes:
    output = BytesIO()
    Image.new("P", (4, 3)).save(output, "GIF")
    return output.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with a few bytes of data: what a
    decompression bomb looks like before anyone decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 3 * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(content: bytes, name: str = "工地照片.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# The world ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Photos go to a folder of the test's own; the tests look into it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def member(django_user_model, username: str, city=None, group: str = REPORTER):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    return user


@pytest.fixture
def zz_reporter(django_user_model, zhengzhou):
    return member(django_user_model, "zz", zhengzhou)


@pytest.fixture
def kf_reporter(django_user_model, kaifeng):
    return member(django_user_model, "kf", kaifeng)


@pytest.fixture
def project(zhengzhou, kaifeng) -> Project:
    world = make_world(zhengzhou, kaifeng)
    return make_project(world.rail, "郑开城际延长线", Project.Goal.START, [zhengzhou, kaifeng])


@pytest.fixture
def draft(project, zhengzhou) -> ProjectUpdate:
    """Zhengzhou's section, 2021 Q1, still a draft."""
    return make_update(project, zhengzhou, 1, Project.Stage.CONSTRUCTION, status=Status.DRAFT)


def add_photo(update: ProjectUpdate, content: bytes | None = None) -> ProjectPhoto:
    """A photo stored as the inline stores one: checked, re-encoded, saved."""
    photo = checked_photo(upload(content or jpeg()))
    return ProjectPhoto.objects.create(
        update=update,
        image=photo.file,
        width=photo.width,
        height=photo.height,
        taken_at=photo.taken_at,
    )


def photo_formset(user, update, new=(), delete=(), captions=None):
    """The inline's formset as the update's admin page posts it: the stored photos (those
    in `delete` ticked for deletion) and one new row per upload in `new`."""
    request = RequestFactory().post("/")
    request.user = user
    inline = ProjectPhotoInline(ProjectUpdate, admin.site)
    formset_class = inline.get_formset(request, update)
    prefix = formset_class.get_default_prefix()
    stored = list(update.photos.all())
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(stored) + len(new)),
        f"{prefix}-INITIAL_FORMS": str(len(stored)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(MAX_PHOTOS),
    }
    files = {}
    for index, photo in enumerate(stored):
        data[f"{prefix}-{index}-id"] = str(photo.pk)
        data[f"{prefix}-{index}-update"] = str(update.pk)
        data[f"{prefix}-{index}-caption"] = photo.caption
        if photo in delete:
            data[f"{prefix}-{index}-DELETE"] = "on"
    for offset, file in enumerate(new):
        index = len(stored) + offset
        data[f"{prefix}-{index}-update"] = str(update.pk)
        data[f"{prefix}-{index}-caption"] = (captions or {}).get(offset, "")
        files[f"{prefix}-{index}-image"] = file
    return formset_class(data, files, instance=update, prefix=prefix)


def image_errors(formset) -> list[str]:
    return [message for form in formset.forms for message in form.errors.get("image", [])]


# Accepted and re-encoded --------------------------------------------------------------------


def test_a_jpeg_is_stored_upright_without_its_exif_under_a_random_name(draft, zz_reporter, media):
    formset = photo_formset(zz_reporter, draft, [upload(jpeg())], captions={0: "桥墩施工"})
    assert formset.is_valid(), formset.errors
    formset.save()

    photo = ProjectPhoto.objects.get()
    assert (photo.width, photo.height) == (3, 4)  # orientation 6 applied
    assert photo.taken_at == datetime(2021, 3, 14, 9, 8, 7, tzinfo=SHANGHAI)
    assert photo.uploaded_by == zz_reporter
    assert photo.caption == "桥墩施工"
    folder = f"project-photos/2021/{draft.pk}/"
    assert photo.image.name.startswith(folder) and photo.image.name.endswith(".jpg")
    assert len(photo.image.name) == len(folder) + 32 + len(".jpg")  # a uuid, not "工地照片"
    assert stored_files(media) == [photo.image.name]
    with Image.open(photo.image.path) as kept:
        assert kept.format == "JPEG"
        assert kept.size == (3, 4)
        assert dict(kept.getexif()) == {}  # no GPS, no camera, no orientation
        assert "comment" not in kept.info


def test_a_png_is_kept_as_a_png_without_its_exif_and_keeps_its_capture_time(
    draft, zz_reporter, media
):
    formset = photo_formset(zz_reporter, draft, [upload(png(), "工地.png", "image/png")])
    assert formset.is_valid(), formset.errors
    formset.save()

    photo = ProjectPhoto.objects.get()
    assert photo.image.name.endswith(".png")
    assert (photo.width, photo.height) == (3, 4)
    assert photo.taken_at == datetime(2021, 3, 15, 10, 20, 30, tzinfo=SHANGHAI)
    with Image.open(photo.image.path) as kept:
        assert (kept.format, kept.mode, kept.size) == ("PNG", "RGBA", (3, 4))
        assert dict(kept.getexif()) == {}


def test_the_format_is_the_decoded_one_not_the_name_or_the_content_type(draft, zz_reporter):
    formset = photo_formset(zz_reporter, draft, [upload(jpeg(), "photo.png", "image/png")])
    assert formset.is_valid(), formset.errors
    formset.save()
    assert ProjectPhoto.objects.get().image.name.endswith(".jpg")


def test_a_photo_without_a_capture_time_has_none(draft, zz_reporter):
    plain = BytesIO()
    Image.new("RGB", (2, 2)).save(plain, "JPEG")
    formset = photo_formset(zz_reporter, draft, [upload(plain.getvalue())])
    assert formset.is_valid(), formset.errors
    formset.save()
    assert ProjectPhoto.objects.get().taken_at is None


# Refused, with nothing saved ----------------------------------------------------------------

UPLOAD = "请上传 JPEG 或 PNG 格式的照片。"
REFUSALS = [
    (
        "a text file",
        lambda: upload(b"just some notes\n", "notes.jpg"),
        f"照片：该文件不是图片。{UPLOAD}",
    ),
    (
        "a renamed PDF",
        lambda: upload(PDF, "photo.jpg"),
        f"照片：该文件是 PDF 文档，不是照片，修改扩展名不会改变其格式。{UPLOAD}",
    ),
    (
        "an SVG",
        lambda: upload(SVG, "photo.png", "image/png"),
        f"照片：不接受 SVG 矢量图，因其可能含有脚本。{UPLOAD}",
    ),
    ("a GIF", lambda: upload(gif(), "photo.jpg"), f"照片：不接受 GIF 格式的图片。{UPLOAD}"),
    (
        "a file over 5 MB",
        lambda: upload(jpeg() + b"\x00" * (20 * 1024 * 1024)),
        "照片：文件大小为 20.1 MB，每张照片不得超过 20 MB。",
    ),
    (
        "a PNG over 12 megapixels",
        lambda: upload(png_claiming(4000, 3001), "big.png", "image/png"),
        "照片：图片为 4000 × 3001 像素，此类照片不得超过 12 百万像素。",
    ),
    (
        "a decompression bomb",
        lambda: upload(png_claiming(100_000, 100_000), "bomb.png", "image/png"),
        "照片：图片声称的像素数远超 64 百万像素（解压缩炸弹），未予打开。",
    ),
    (
        "a cut-off JPEG",
        lambda: upload(jpeg()[:200]),
        "照片：图片已损坏或不完整，无法读取。请重新上传，或换一份文件。",
    ),
]


@pytest.mark.parametrize(("case", "make_file", "message"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    draft, zz_reporter, media, case, make_file, message
):
    formset = photo_formset(zz_reporter, draft, [make_file()])
    assert not formset.is_valid()
    assert image_errors(formset) == [message]
    assert ProjectPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_a_seventh_photo_is_refused_and_nothing_is_stored(draft, zz_reporter, media):
    for _ in range(MAX_PHOTOS):
        add_photo(draft)
    before = stored_files(media)
    formset = photo_formset(zz_reporter, draft, [upload(jpeg())])
    assert not formset.is_valid()
    assert formset.non_form_errors() == [
        "照片：每条项目进展最多 6 张照片，按本次保存将有 7 张。请先删除多余的照片。"
    ]
    assert draft.photos.count() == MAX_PHOTOS
    assert stored_files(media) == before


def test_two_uploads_at_once_may_not_pass_six_together(draft, zz_reporter, media):
    for _ in range(MAX_PHOTOS - 1):
        add_photo(draft)
    formset = photo_formset(zz_reporter, draft, [upload(jpeg()), upload(png(), "b.png")])
    assert not formset.is_valid()
    assert formset.non_form_errors() == [
        "照片：每条项目进展最多 6 张照片，按本次保存将有 7 张。请先删除多余的照片。"
    ]
    assert draft.photos.count() == MAX_PHOTOS - 1


def test_a_photo_deleted_in_the_same_save_makes_room_for_a_new_one(draft, zz_reporter, media):
    photos = [add_photo(draft) for _ in range(MAX_PHOTOS)]
    formset = photo_formset(zz_reporter, draft, [upload(png(), "b.png")], delete=[photos[0]])
    assert formset.is_valid(), formset.non_form_errors()
    formset.save()
    assert draft.photos.count() == MAX_PHOTOS
    assert not draft.photos.filter(pk=photos[0].pk).exists()


def test_the_inline_offers_no_more_rows_than_six(draft, zz_reporter):
    assert ProjectPhotoInline.max_num == MAX_PHOTOS == 6
    for _ in range(MAX_PHOTOS):
        add_photo(draft)
    request = RequestFactory().get("/")
    request.user = zz_reporter
    formset_class = ProjectPhotoInline(ProjectUpdate, admin.site).get_formset(request, draft)
    assert len(formset_class(instance=draft).forms) == MAX_PHOTOS  # no empty row for a 7th


def test_a_caption_with_a_control_character_is_refused(draft, zz_reporter, media):
    formset = photo_formset(zz_reporter, draft, [upload(jpeg())], captions={0: "桥墩\x0b施工"})
    assert not formset.is_valid()
    assert formset.forms[0].errors["caption"] == [
        "说明含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。"
    ]
    assert stored_files(media) == []


# Kept, and kept track of --------------------------------------------------------------------


def test_a_stored_photo_cannot_be_replaced_by_another_file(draft, zz_reporter):
    photo = add_photo(draft)
    formset = photo_formset(zz_reporter, draft)
    formset.files = {"photos-0-image": upload(png(), "other.png")}
    formset.data = {**formset.data, "photos-0-caption": "换一张"}
    assert formset.is_valid(), formset.errors
    formset.save()
    photo.refresh_from_db()
    assert photo.image.name.endswith(".jpg") and photo.caption == "换一张"


def test_deleting_a_photo_keeps_its_history_its_file_and_its_update(draft, zz_reporter, media):
    photo = add_photo(draft)
    formset = photo_formset(zz_reporter, draft, delete=[photo])
    assert formset.is_valid(), formset.errors
    formset.save()
    assert ProjectPhoto.objects.count() == 0
    assert [record.history_type for record in ProjectPhoto.history.filter(id=photo.pk)] == [
        "-",
        "+",
    ]
    assert stored_files(media) == [photo.image.name]
    assert ProjectUpdate.objects.filter(pk=draft.pk).exists()


def test_a_reporter_adds_no_photo_to_a_submitted_update_nor_to_a_sample_one(
    project, zhengzhou, zz_reporter, office
):
    submitted = make_update(project, zhengzhou, 1, Project.Stage.CONSTRUCTION)
    sample = make_update(
        project, zhengzhou, 2, Project.Stage.CONSTRUCTION, status=Status.DRAFT, is_sample=True
    )
    inline = ProjectPhotoInline(ProjectUpdate, admin.site)
    request = RequestFactory().get("/")
    request.user = zz_reporter
    assert not inline.has_add_permission(request, submitted)
    assert not inline.has_delete_permission(request, submitted)
    assert not inline.has_add_permission(request, sample)
    request.user = office
    assert inline.has_add_permission(request, submitted)
    assert not inline.has_add_permission(request, sample)


def test_the_inline_shows_each_photo_through_its_view(draft):
    photo = add_photo(draft)
    cell = ProjectPhotoInline(ProjectUpdate, admin.site).preview(photo)
    assert cell == (
        f'<a href="/photos/{photo.pk}/"><img src="/photos/{photo.pk}/" alt="照片" height="80"></a>'
    )


# Served only to who may see the update ------------------------------------------------------

# Who sees a photo of Zhengzhou's update, by the update's status.
ALLOWED = {
    Status.DRAFT: {"office", "zz"},
    Status.RETURNED: {"office", "zz"},
    Status.SUBMITTED: {"office", "zz", "kf", "leader"},
    Status.APPROVED: {"office", "zz", "kf", "leader"},
}


@pytest.fixture
def cast(office, zz_reporter, kf_reporter, leader) -> dict:
    return {"office": office, "zz": zz_reporter, "kf": kf_reporter, "leader": leader}


@pytest.mark.parametrize("is_sample", [False, True], ids=["real", "sample"])
@pytest.mark.parametrize("status", list(ALLOWED))
def test_a_photo_is_served_to_who_may_see_its_update(
    client, project, zhengzhou, cast, status, is_sample
):
    update = make_update(
        project, zhengzhou, 1, Project.Stage.CONSTRUCTION, status=status, is_sample=is_sample
    )
    photo = add_photo(update)
    seen = set()
    for name, user in cast.items():
        client.force_login(user)
        response = client.get(f"/photos/{photo.pk}/")
        assert response.status_code in (200, 404), name
        if response.status_code == 200:
            seen.add(name)
    assert seen == ALLOWED[status]


def test_the_photo_is_sent_as_an_inline_image_the_browser_keeps_private(client, draft, office):
    photo = add_photo(draft)
    client.force_login(office)
    response = client.get(f"/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo.pk}.jpg"'
    assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=3600"}
    body = b"".join(response.streaming_content)
    with photo.image.open("rb") as stored:
        assert body == stored.read()


def test_a_png_is_sent_as_a_png(client, draft, office):
    photo = add_photo(draft, png())
    client.force_login(office)
    assert client.get(f"/photos/{photo.pk}/")["Content-Type"] == "image/png"


@pytest.mark.parametrize("public", [False, True], ids=["private", "public dashboard"])
def test_an_anonymous_visitor_is_sent_to_sign_in_even_on_a_public_dashboard(
    client, settings, project, zhengzhou, public
):
    settings.DASHBOARD_PUBLIC = public
    photo = add_photo(make_update(project, zhengzhou, 1, Project.Stage.CONSTRUCTION))
    response = client.get(f"/photos/{photo.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/photos/{photo.pk}/"


def test_an_account_in_no_role_sees_no_photo(client, django_user_model, project, zhengzhou):
    photo = add_photo(make_update(project, zhengzhou, 1, Project.Stage.CONSTRUCTION))
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(f"/photos/{photo.pk}/").status_code == 404


def test_a_photo_that_does_not_exist_is_a_404(client, office, db):
    client.force_login(office)
    assert client.get("/photos/999/").status_code == 404


def test_no_address_serves_the_stored_files(client, draft, office, settings):
    photo = add_photo(draft)
    client.force_login(office)
    for address in (f"/{photo.image.name}", f"/media/{photo.image.name}"):
        with pytest.raises(Resolver404):
            resolve(address)
        assert client.get(address).status_code == 404


def test_a_photo_costs_the_same_queries_on_an_update_of_one_photo_as_of_six(
    client, project, zhengzhou, zz_reporter
):
    one = add_photo(make_update(project, zhengzhou, 1, Project.Stage.CONSTRUCTION))
    six = [add_photo(make_update(project, zhengzhou, 2, Project.Stage.PREPARATION))]
    six += [add_photo(six[0].update) for _ in range(MAX_PHOTOS - 1)]
    client.force_login(zz_reporter)
    client.get(f"/photos/{one.pk}/")  # The session's first request renews it.
    counts = []
    for photo in (one, six[-1]):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/photos/{photo.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts == [counts[0]] * 2 and counts[0] <= 5


# The rule, shared by reports and updates ----------------------------------------------------


def test_reports_and_updates_share_who_may_see_a_draft(
    project, zhengzhou, kaifeng, cast, django_user_model
):
    task = project.task
    reports = {
        "zz draft": make_report(task, zhengzhou, 1, "1", ProgressReport.Status.DRAFT),
        "kf returned": make_report(task, kaifeng, 1, "1", ProgressReport.Status.RETURNED),
        "zz submitted": make_report(task, zhengzhou, 2, "1"),
        "kf approved": make_report(task, kaifeng, 2, "1", ProgressReport.Status.APPROVED),
    }
    names = {report.pk: name for name, report in reports.items()}

    def visible(user) -> set[str]:
        return {
            names[pk] for pk in ProgressReport.objects.visible_to(user).values_list("pk", flat=True)
        }

    counted = {"zz submitted", "kf approved"}
    assert visible(cast["office"]) == set(reports)
    assert visible(cast["zz"]) == counted | {"zz draft"}
    assert visible(cast["kf"]) == counted | {"kf returned"}
    assert visible(cast["leader"]) == counted
    assert visible(django_user_model.objects.create_user("nobody")) == set()
    unbound = member(django_user_model, "unbound")  # a reporter not yet given a city
    assert visible(unbound) == counted


# Within bounds: what a camera never writes is refused before it is decoded -----------------

ODD = (
    "照片：该文件的结构不同于相机或手机拍摄的照片（读取耗时过长）。"
    "请重新导出为普通的 JPEG 或 PNG 文件。"
)


def plain_jpeg(size=(64, 48), mode="RGB", **options) -> bytes:
    output = BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else None).save(output, "JPEG", **options)
    return output.getvalue()


def odd_files() -> list[tuple[str, bytes]]:
    from investment import photos

    base, progressive = plain_jpeg(), plain_jpeg(progressive=True)
    last_scan = progressive[progressive.rfind(b"\xff\xda") : -2]
    unknown = struct.pack(">I", 0) + b"zzZz" + struct.pack(">I", zlib.crc32(b"zzZz"))
    tiny = png()
    return [
        ("scans", progressive[:-2] + last_scan * photos.MAX_SCANS + b"\xff\xd9"),
        ("markers", base[:2] + b"\xff\xe0\x00\x02" * photos.MAX_SEGMENTS + base[2:]),
        ("fill", base[:-2] + b"\xff" * (2 * photos.MAX_FILL + 2) + base[-2:]),
        ("chunks", tiny[:33] + unknown * (photos.MAX_OTHER_CHUNKS + 1) + tiny[33:]),
    ]


@pytest.mark.parametrize(("name", "content"), odd_files(), ids=[n for n, _c in odd_files()])
def test_a_file_no_camera_writes_is_refused_before_it_is_decoded(name, content, monkeypatch):
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(Exception) as refusal:
        checked_photo(upload(content))
    assert refusal.value.messages == [ODD]


def test_a_large_phone_photo_is_decoded_at_a_reduced_scale_and_kept_at_2560_pixels():
    content = plain_jpeg((8000, 6000), quality=30)
    photo = checked_photo(upload(content))
    assert (photo.width, photo.height) == (2560, 1920)
    assert Image.open(photo.file).size == (2560, 1920)


def test_a_cmyk_jpeg_is_kept_as_rgb_without_its_ink_profile():
    photo = checked_photo(upload(plain_jpeg((40, 30), "CMYK")))
    assert Image.open(photo.file).mode == "RGB"


def test_a_progressive_jpeg_is_bounded_lower_as_it_is_decoded_whole():
    content = plain_jpeg((4000, 3001), progressive=True, quality=10)
    with pytest.raises(Exception) as refusal:
        checked_photo(upload(content))
    assert refusal.value.messages == [
        "照片：图片为 4000 × 3001 像素，此类照片不得超过 12 百万像素。"
    ]


@pytest.mark.parametrize(
    "taken", ["0001:01:01 00:00:00", "1899:12:31 23:59:59", "9999:12:31 23:59:59"]
)
def test_a_capture_date_no_camera_clock_meant_is_ignored(taken):
    assert checked_photo(upload(jpeg(taken=taken))).taken_at is None


def test_a_motion_photo_is_read_up_to_its_pictures_end_and_kept():
    video = bytes(range(256)) * 4000  # Holds every byte pair a marker could be.
    photo = checked_photo(upload(plain_jpeg((64, 48)) + video))
    assert (photo.width, photo.height) == (64, 48)


@pytest.mark.parametrize("frame", [0xC3, 0xC9, 0xCA, 0xC5])
def test_a_jpeg_frame_no_camera_writes_is_refused(frame):
    content = bytearray(plain_jpeg())
    at = content.index(b"\xff\xc0")
    content[at + 1] = frame
    with pytest.raises(Exception) as refusal:
        checked_photo(upload(bytes(content)))
    assert refusal.value.messages == [ODD]


def test_a_baseline_jpeg_in_a_scan_per_component_is_refused():
    # A camera writes one scan of all components; one of a single component comes first here.

    content = plain_jpeg()
    scan = content.index(b"\xff\xda")
    split = content[:scan] + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + content[scan:]
    with pytest.raises(Exception) as refusal:
        checked_photo(upload(split))
    assert refusal.value.messages == [ODD]
