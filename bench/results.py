"""bench/RESULTS.md: one section per benchmark, each replaced by its own newest run."""

import os
import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# What an older benchmark's larger size is, beside the plan grown in place (bench/scale.py).
NOT_A_LARGER_PLAN = (
    "**Not comparable with a larger plan:** the larger size here adds reports in other plan "
    "years (scale_data.generate(reports=…)), so both sizes draw the same 231 reports of 2021; "
    "for the 2021 plan itself grown in place, see “The office's scale: one plan year, S and L”."
)
PROJECTS_ONLY = (
    "**Projects only:** the larger size grows the 2021 plan's projects in place "
    "(scale_data.generate(projects=…)), not its reports, cities' tasks or problems; for the "
    "whole plan grown in place, see “The office's scale: one plan year, S and L”. Taken before "
    "the speed-ups measured there."
)


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
