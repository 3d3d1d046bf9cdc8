"""bench/RESULTS.md: one section per benchmark, each replaced by its own newest run."""

import os
import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    run = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; run {run}"
    )


def write_section(title: str, lines: list[str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if not text.startswith("# Benchmark results"):
        text = (
            "# Benchmark results\n\nWritten by `make bench` (bench/*.py); each section is "
            "replaced by the newest run of its benchmark.\n"
        )
    section = "\n".join([f"## {title}", "", f"Machine: {machine()}", "", *lines]).rstrip() + "\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")
    print(f"Written bench/RESULTS.md: {title}")
