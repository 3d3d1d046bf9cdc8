"""Photo upload benchmark: time and memory of checking and re-encoding one upload, for the
photos people send and for files built to hold a worker (issue 21).

Each upload is checked in a fresh process (`checked_photo`, as the project update and the
problem answer call it), so its peak memory is its own: the process's peak resident size
after the check, less before it.

Usage: make bench   (or: python bench/photos.py)
"""

import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def jpeg(width: int, height: int, mode: str = "RGB", sigma: int = 24, **options) -> bytes:
    """A JPEG of some detail (a flat image would compress to nothing)."""
    from PIL import Image

    tile = Image.effect_noise((256, 256), sigma).convert(mode)
    image = Image.new(mode, (width, height))
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            image.paste(tile, (x, y))
    options.setdefault("quality", 70)
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def with_orientation(data: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    exif[0x0112] = 6  # Rotated: the phone was held upright.
    out = io.BytesIO()
    image.save(out, "JPEG", quality=40, exif=exif.tobytes())
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    from PIL import Image

    tile = Image.effect_noise((256, 256), 64).convert("RGBA")
    image = Image.new("RGBA", (width, height))
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            image.paste(tile, (x, y))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def motion_photo() -> bytes:
    """A phone's motion photo: a JPEG, and after its end the video's bytes."""
    return jpeg(4000, 3000) + os.urandom(1_000_000)


def baseline_in_scans(width: int, height: int) -> bytes:
    """A baseline JPEG header claiming `width` × `height` in three components, each in a scan
    of its own, with no data: a decoder would hold the whole image's coefficients."""
    frame = bytes([8, height >> 8, height & 255, width >> 8, width & 255, 3])
    frame += b"".join(bytes([n, 0x11, 0]) for n in (1, 2, 3))
    table = bytes([0]) + bytes([1] * 16)  # DC table 0: one code of each length
    table = b"\xff\xc4" + struct.pack(">H", 2 + 17 + 16) + table + bytes(range(16))
    quant = b"\xff\xdb" + struct.pack(">H", 67) + bytes([0]) + bytes([1] * 64)
    scans = b"".join(
        b"\xff\xda" + struct.pack(">H", 8) + bytes([1, n, 0x00, 0, 63, 0]) for n in (1, 2, 3)
    )
    sof = b"\xff\xc0" + struct.pack(">H", 2 + len(frame)) + frame
    return b"\xff\xd8" + quant + sof + table + scans + b"\xff\xd9"


def attacks() -> dict[str, bytes]:
    """Files built to hold a worker, each under the 5 MB limit."""
    small = jpeg(640, 480, progressive=True)
    scans = small.rfind(b"\xff\xda")
    last_scan = small[scans:-2]
    repeated = small[:-2] + last_scan * ((5_000_000 - len(small)) // len(last_scan)) + b"\xff\xd9"
    base = jpeg(64, 64)
    app0 = base[:2] + b"\xff\xe0\x00\x02" * 1_200_000 + base[2:]
    fill = base[:-2] + b"\xff" * 4_800_000 + base[-2:]
    tiny_png = png(8, 8)
    chunks = b"".join(png_chunk(b"zzZz", b"") for _ in range(400_000))
    png_chunks = tiny_png[:33] + chunks + tiny_png[33:]
    return {
        "baseline JPEG 8000 × 8000 in a scan per component, no data": baseline_in_scans(8000, 8000),
        "progressive JPEG, last scan repeated to 5 MB": repeated,
        "JPEG of 1.2 million empty APP0 markers": app0,
        "JPEG of 4.8 MB of 0xFF fill bytes": fill,
        "PNG of 400,000 unknown chunks": png_chunks,
    }


def uploads() -> dict[str, bytes]:
    return {
        "12 MP phone JPEG (4000 × 3000)": jpeg(4000, 3000),
        "48 MP phone JPEG (8000 × 6000)": jpeg(8000, 6000, sigma=8, quality=50),
        "50 MP phone JPEG of fine detail (8160 × 6120)": jpeg(8160, 6120, sigma=16, quality=85),
        "40 MP JPEG with EXIF orientation": with_orientation(jpeg(7300, 5480, sigma=8)),
        "40 MP CMYK JPEG (7300 × 5480)": jpeg(7300, 5480, "CMYK", sigma=6, quality=40),
        "12 MP progressive JPEG": jpeg(4000, 3000, progressive=True, quality=60),
        "12 MP phone motion photo (a video after the JPEG)": motion_photo(),
        "12 MP RGBA PNG (4000 × 3000)": png(4000, 3000),
        "40 MP RGBA PNG (refused: over 12 MP)": png(7300, 5480),
        **attacks(),
    }


def resident(field: str) -> int:
    """The process's resident size (VmRSS) or its peak since last reset (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def check_one(path: str) -> None:
    """In a fresh process: check the upload; print seconds, peak MB growth and the outcome."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from investment.photos import checked_photo

    translation.activate("en")
    data = Path(path).read_bytes()
    upload = SimpleUploadedFile("photo", data)
    # The peak resident size is reset, so that the check's own peak is measured.
    Path("/proc/self/clear_refs").write_text("5")
    before = resident("VmRSS")
    start = time.perf_counter()
    try:
        photo = checked_photo(upload)
        outcome = f"kept {photo.width} × {photo.height}"
    except ValidationError as error:
        outcome = "refused: " + error.messages[0].split(": ", 1)[-1][:60]
    seconds = time.perf_counter() - start
    grown = (resident("VmHWM") - before) / 1024
    print(f"{seconds:.2f}\t{grown:.0f}\t{outcome}")


def main() -> None:
    from results import write_section

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in uploads().items():
            path = Path(folder) / "upload"
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            seconds, grown, outcome = done.stdout.strip().splitlines()[-1].split("\t")
            size = f"{len(data) / 1024 / 1024:.1f} MB"
            print(f"{name}: {seconds} s, +{grown} MB, {outcome}")
            rows.append(f"| {name} | {size} | {seconds} | {grown} | {outcome} |")
    write_section(
        "Photo uploads",
        [
            "Each upload checked and re-encoded by `investment.photos.checked_photo` in a fresh "
            "process; memory is the growth of its peak resident size. Bounds: 2 s and 200 MB.",
            "",
            "| Upload | Size | Time (s) | Peak growth (MB) | Outcome |",
            "|---|---:|---:|---:|---|",
            *rows,
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        sys.path.insert(0, str(ROOT))
        check_one(sys.argv[2])
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        main()
