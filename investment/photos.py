"""Photos of project updates: checked and re-encoded with Pillow, kept through Django's storage
API, served only to who may see the update (never from a public media address)."""

import re
import struct
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from math import ceil
from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from investment.models import MAX_PHOTOS, ProjectPhoto, ProjectUpdate, StoredPhoto

# A phone's 50 MP photo is 10-20 MB; decoded at a reduced scale it takes well under a second.
MAX_BYTES = 20 * 1024 * 1024
# An upload is decoded only within bounds of time and memory (2 s, 200 MB a worker, whatever
# its bytes): a phone's or camera's JPEG (a 50 MP phone photo passes) is decoded at a reduced
# scale, as the copy kept is at most LONG_SIDE pixels on its long side anyway; a progressive
# JPEG (decoded whole, its coefficients in memory) and a PNG (no reduced decoding) are bounded
# lower; and what no camera or phone ever writes is refused before any decoding (see
# odd_structure).
MAX_PIXELS = 64_000_000
PROGRESSIVE_PIXELS = 12_000_000
PNG_PIXELS = 12_000_000
LONG_SIDE = 2560
# A camera's JPEG is one frame of the kinds below, a dozen segments, one scan of all its
# components (a dozen, when progressive); a PNG has a few ancillary chunks beside its image
# data. Fill bytes (runs of 0xFF before a marker) are a curiosity of the format.
CAMERA_FRAMES = {0xC0, 0xC1, 0xC2}  # baseline, extended sequential, progressive; Huffman-coded
PROGRESSIVE = 0xC2
MAX_SEGMENTS = 500
MAX_SCANS = 64
MAX_FILL = 4096
MAX_CHUNKS = 4096
MAX_OTHER_CHUNKS = 32
FILL = re.compile(rb"\xff+")
# The end of a scan's coded data: the next marker but a restart (RSTn) or a stuffed 0xFF 0x00.
AFTER_SCAN = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
JPEG_QUALITY = 85
# The format a photo is kept in, by the format Pillow decoded. A phone's JPEG that carries a
# second picture (a preview, a depth map) opens as MPO: it is kept as a plain JPEG.
KEPT_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
# The only parsers Pillow runs on an upload (its JPEG parser is the one that finds an MPO).
OPENED = ["JPEG", "PNG"]
NAMES = {"JPEG": "photo.jpg", "PNG": "photo.png"}
# What of a photo's metadata its copy keeps: how its colours and transparency read.
KEPT_INFO = ("icc_profile", "transparency")
# Other pictures people send, known by their first bytes, so the refusal can name them;
# Pillow never parses them.
OTHER_PICTURES = [
    (0, b"GIF87a", "GIF"),
    (0, b"GIF89a", "GIF"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (8, b"WEBP", "WebP"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypmif1", "HEIC"),
]


@dataclass(frozen=True)
class Photo:
    """An upload re-encoded: the file to store and what the photo says of itself."""

    file: ContentFile
    width: int
    height: int
    taken_at: datetime | None


def refused(message: str) -> ValidationError:
    return ValidationError(message, code="photo")


def checked_photo(upload) -> Photo:
    """`upload` as a JPEG or PNG of at most MAX_BYTES and MAX_PIXELS, re-encoded without its
    EXIF (its orientation applied, its capture time kept apart); anything else is refused
    with a message saying why."""
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES or (upload.size or 0) > MAX_BYTES:
        size = max(len(data), upload.size or 0)
        raise refused(
            _("Photo: the file is %(size)s MB; a photo may be at most %(limit)d MB.")
            % {
                "size": f"{ceil(size * 10 / 1024 / 1024) / 10:.1f}",
                "limit": MAX_BYTES // 1024 // 1024,
            }
        )
    image = opened(data)
    taken_at = capture_time(image.getexif())
    kept_as = KEPT_AS[image.format]
    # Only the colours are kept: no EXIF (location, camera), XMP, comment or text goes along.
    info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    if image.mode == "CMYK":
        # Browsers show a CMYK JPEG badly, if at all; its profile describes inks, not screens.
        image = image.convert("RGB")
        info.pop("icc_profile", None)
    image.thumbnail((LONG_SIDE, LONG_SIDE), reducing_gap=2.0)
    image = ImageOps.exif_transpose(image)
    image.info = info  # Saving would carry over a comment, a resolution, from the original.
    output = BytesIO()
    if kept_as == "JPEG":
        image.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, **info)
    else:
        # The fastest compression: zlib's best takes seconds on a photo's worth of detail.
        image.save(output, "PNG", compress_level=1, **info)
    return Photo(ContentFile(output.getvalue(), NAMES[kept_as]), *image.size, taken_at)


def opened(data: bytes) -> Image.Image:
    """The decoded image, once its format and size pass; a refusal otherwise."""
    if reason := other_kind(data) or odd_structure(data):
        raise refused(reason)
    try:
        with Image.open(BytesIO(data), formats=OPENED) as image:
            width, height = image.size
            limit = pixel_limit(image)
            if width * height <= limit:
                image.verify()
    except Image.DecompressionBombError:
        raise refused(
            _(
                "Photo: the image claims far more than %(limit)d million pixels (a "
                "decompression bomb), so it was not opened."
            )
            % {"limit": MAX_PIXELS // 1_000_000}
        ) from None
    except UnidentifiedImageError:
        raise refused(_("Photo: this file is not an image. Upload a JPEG or PNG photo.")) from None
    except Exception:  # Pillow's parsers raise many kinds of error on a damaged file.
        raise refused(damaged()) from None
    if width * height > limit:
        raise refused(
            _(
                "Photo: the image is %(width)d × %(height)d pixels; a photo of this kind may "
                "have at most %(limit)d million pixels."
            )
            % {"width": width, "height": height, "limit": limit // 1_000_000}
        )
    # verify() leaves the image unusable: open it again, and decode it now, a JPEG at the
    # smallest scale that still gives LONG_SIDE pixels on its long side.
    try:
        image = Image.open(BytesIO(data), formats=OPENED)
        if image.format in ("JPEG", "MPO"):
            ratio = LONG_SIDE / max(width, height)
            image.draft(None, (ceil(width * ratio), ceil(height * ratio)))
        image.load()
    except Exception:
        raise refused(damaged()) from None
    return image


def pixel_limit(image: Image.Image) -> int:
    """How many pixels an image of its kind may have, to be decoded within bounds."""
    if image.format == "PNG":
        return PNG_PIXELS
    if image.info.get("progressive") or image.info.get("progression"):
        return PROGRESSIVE_PIXELS
    return MAX_PIXELS


def odd_structure(data: bytes) -> str | None:
    """Why a file that no camera or phone makes is refused before it is decoded: a JPEG of
    more markers, scans or fill bytes, or a PNG of more chunks, than any photo has."""
    if data[:3] == b"\xff\xd8\xff":
        odd = jpeg_odd(data)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        odd = png_chunks_odd(data)
    else:
        return None
    if not odd:
        return None
    return _(
        "Photo: the file is built unlike any photo a camera or phone makes (it would take "
        "too long to read). Export it again as an ordinary JPEG or PNG."
    )


def jpeg_odd(data: bytes) -> bool:
    """Whether a JPEG, walked segment by segment up to its end (a motion photo's video after
    it is not read), is unlike a camera's: a frame no camera writes (arithmetic-coded,
    lossless, hierarchical: slow to decode, or decoded whole), more than one frame, a
    sequential frame in more than one scan or a scan of fewer components than the frame (the
    whole image's coefficients then sit in memory), or too many segments, scans or fill bytes.
    """
    position, segments, scans, fill = 2, 0, 0, 0
    frame, components = None, 0
    while True:
        if position >= len(data):
            return False  # Cut off: Pillow says it is damaged.
        run = FILL.match(data, position)
        if run is None:
            return True  # Bytes where a marker belongs: a decoder would skip them, not a camera.
        fill += run.end() - position - 1
        if fill > MAX_FILL:
            return True
        if run.end() >= len(data):
            return False
        marker, position = data[run.end()], run.end() + 1
        if marker == 0xD9:  # EOI
            return frame is None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # Stand-alone markers.
        length = int.from_bytes(data[position : position + 2], "big")
        segment = data[position + 2 : position + length]
        segments += 1
        if segments > MAX_SEGMENTS or fill > MAX_FILL or length < 2:
            return True
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn
            if marker not in CAMERA_FRAMES or frame is not None or len(segment) < 6:
                return True
            frame, components = marker, segment[5]
        elif marker == 0xDA:  # SOS, then the scan's coded data
            scans += 1
            in_scan = segment[0] if segment else 0
            sequential_split = frame != PROGRESSIVE and (scans > 1 or in_scan != components)
            if frame is None or scans > MAX_SCANS or sequential_split:
                return True
            after = AFTER_SCAN.search(data, position + length)
            if after is None:
                return False  # Cut off in its data: Pillow decides.
            position = after.start()
            continue
        position += length


def png_chunks_odd(data: bytes) -> bool:
    """Whether a PNG holds more chunks, or more of them beside its image data, than a photo."""
    position, chunks, others = 8, 0, 0
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks += 1
        others += kind not in (b"IDAT", b"IHDR", b"IEND", b"PLTE")
        if chunks > MAX_CHUNKS or others > MAX_OTHER_CHUNKS:
            return True
        if kind == b"IEND":
            break
        position += 12 + length
    return False


def other_kind(data: bytes) -> str | None:
    """Why a file that Pillow is not even asked to open is refused: a PDF, an SVG, another
    kind of picture."""
    head = data[:1024]
    if b"%PDF-" in head:
        return _(
            "Photo: this file is a PDF document, not a photo; renaming it does not change "
            "that. Upload a JPEG or PNG photo."
        )
    if b"<svg" in head.lower():
        return _(
            "Photo: SVG drawings are not accepted, as they can carry scripts. Upload a JPEG "
            "or PNG photo."
        )
    for offset, signature, kind in OTHER_PICTURES:
        if data[offset : offset + len(signature)] == signature:
            return _("Photo: %(kind)s images are not accepted. Upload a JPEG or PNG photo.") % {
                "kind": kind
            }
    return None


def damaged() -> str:
    return _(
        "Photo: the image is damaged or incomplete and cannot be read. Upload it again, or "
        "another copy."
    )


def capture_time(exif: Image.Exif) -> datetime | None:
    """When the photo was taken, if its EXIF says: the camera's clock, taken as local time."""
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    try:
        taken = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:  # None, "0000:00:00 00:00:00", or anything a camera wrote
        return None
    # A clock never set (0001:01:01) or set wrong is no capture time at all.
    if not 1990 <= taken.year <= timezone.localdate().year + 1:
        return None
    return timezone.make_aware(taken)


def photo_response(photo: StoredPhoto) -> FileResponse:
    """The photo's file from storage, as an image to show, cached by the browser only."""
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type())
    response["Content-Disposition"] = content_disposition_header(
        False, f"photo-{photo.pk}{Path(photo.image.name).suffix}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A stored photo never changes (a new one gets a new address), but who may see it does.
    patch_cache_control(response, private=True, max_age=3600)
    return response


class ProjectPhotoForm(forms.ModelForm):
    """One photo: a new upload is checked and re-encoded; a stored photo is never replaced
    (delete it and add another), so its address always shows the same picture."""

    user = None  # Set for each request by ProjectPhotoInline.get_formset.

    class Meta:
        model = ProjectPhoto
        fields = ["image", "caption"]
        # Never ClearableFileInput: it links the stored file by its media URL, which no
        # address serves.
        widgets = {"image": forms.FileInput(attrs={"accept": "image/jpeg,image/png"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.photo = None
        if self.instance.pk:
            self.fields["image"].disabled = True

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if self.instance.pk:
            return upload
        self.photo = checked_photo(upload)
        return self.photo.file

    def save(self, commit: bool = True) -> ProjectPhoto:
        if self.photo:
            self.instance.width, self.instance.height = self.photo.width, self.photo.height
            self.instance.taken_at = self.photo.taken_at
            self.instance.uploaded_by = self.user
        return super().save(commit)


class ProjectPhotoFormSet(BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        # A tabular inline heads its columns but labels no input (axe: label): each input
        # carries its column's name.
        for field in form.fields.values():
            if field.label and not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", field.label)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        update = self.instance
        stored = 0
        if update.pk:
            # Locks the update (on PostgreSQL) so two uploads at once cannot both pass.
            ProjectUpdate.objects.select_for_update().filter(pk=update.pk).exists()
            stored = ProjectPhoto.objects.filter(update=update).count()
        deleted = sum(1 for form in self.initial_forms if self._should_delete_form(form))
        added = sum(
            1
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        )
        total = stored - deleted + added
        if total > MAX_PHOTOS:
            raise ValidationError(
                _(
                    "Photos: an update has at most %(limit)d photos; saving these would make "
                    "%(count)d. Delete one first."
                )
                % {"limit": MAX_PHOTOS, "count": total},
                code="too_many_photos",
            )


class ProjectPhotoInline(admin.TabularInline):
    """The photos on a project update's page, each shown through the serving view.

    Self-sufficient: ProjectUpdateAdmin needs only `inlines = [ProjectPhotoInline]`.
    """

    model = ProjectPhoto
    form = ProjectPhotoForm
    formset = ProjectPhotoFormSet
    extra = 1
    max_num = MAX_PHOTOS
    view_on_site = False  # The preview links the photo already.
    fields = ["preview", "image", "caption", "width", "height", "taken_at", "uploaded_by"]
    readonly_fields = ["preview", "width", "height", "taken_at", "uploaded_by"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user = request.user  # A new form class each call, so this is per request.
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, photo: ProjectPhoto) -> str:
        if not photo.pk:
            return "—"
        url = photo.get_absolute_url()
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" height="80"></a>',
            url,
            url,
            photo.caption or _("photo"),
        )

    def editable(self, request, update: ProjectUpdate | None) -> bool:
        # Photos change with their update: a reporter's drafts and returned updates, anything
        # for the office; never a sample update's (purge_sample_data removes sample updates).
        return update is None or (not update.is_sample and update.editable_by(request.user))

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self.editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.editable(request, obj)
