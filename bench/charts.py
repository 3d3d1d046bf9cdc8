"""Charts benchmark: how long the overview's charts block a phone's main thread.

/2021/ with the 2021 plan and its sample data, through gunicorn (whitenoise, DEBUG off), in the
system Chromium at 390 × 844 with the CPU slowed down four times (Lighthouse's mobile profile).
The page is scrolled to its bottom 400 px at a time, so that every chart is drawn, and the
long tasks (PerformanceObserver 'longtask') are read 3 s after the load event, or after the
scrolling if that ends later. Reported: the longest task and the total blocking time (the sum
of each long task's time over 50 ms), median of the runs.

Builds its own database (BENCH_CHARTS_DATABASE_URL, by default zzmetro_bench_charts on the
local server). Writes its section of bench/RESULTS.md.
Usage: python bench/charts.py [--runs N] [--against REV]
  --against REV also measures static/js/charts.js as it was at git revision REV (served in
  place of the current one, with the current templates and site.css), the runs interleaved.
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from common import fresh_database, production_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get(
    "BENCH_CHARTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench_charts"
)
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
os.environ.pop("CACHE_URL", None)
PORT = 8767
PAGE = "/2021/"
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 390, "height": 844}
SLOWDOWN = 4
AFTER_LOAD_MS = 3000
STEP_PX = 400  # a little under half a screen each step
STEP_MS = 100
RUNS = 5

# Registered before the page's own scripts; buffered, so tasks before it are kept too.
OBSERVER = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__longtasks.push({ start: entry.startTime, duration: entry.duration });
  }
}).observe({ type: "longtask", buffered: true });
window.__chartScripts = [];
if (PerformanceObserver.supportedEntryTypes.includes("long-animation-frame")) {
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries()) {
      for (const script of frame.scripts) {
        if (/chart/.test(script.sourceURL)) window.__chartScripts.push(script.duration);
      }
    }
  }).observe({ type: "long-animation-frame", buffered: true });
}
"""

READ = """() => {
  const load = performance.getEntriesByType("navigation")[0].loadEventEnd;
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return {
    load,
    tasks: window.__longtasks,
    chartScripts: window.__chartScripts,
    charts: canvases.length,
    drawn: canvases.filter((canvas) => window.Chart && Chart.getChart(canvas)).length,
  };
}"""


fresh_database(URL)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from results import write_section  # noqa: E402


def one_run(browser, base: str, script: str | None) -> dict:
    """Open the page once in a fresh context, scroll it to the bottom, and read its long tasks.
    `script`, when given, is served in place of static/js/charts.js."""
    context = browser.new_context(
        viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1.75, is_mobile=True, has_touch=True
    )
    context.add_init_script(OBSERVER)
    page = context.new_page()
    if script is not None:  # "" leaves the charts undrawn: the page's own long tasks
        page.route(
            "**/static/js/charts*.js",
            lambda route: route.fulfill(
                status=200, content_type="text/javascript; charset=utf-8", body=script
            ),
        )
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOWDOWN})
    page.goto(base + PAGE, wait_until="load")
    loaded = page.evaluate("performance.now()")
    at_bottom = "innerHeight + scrollY >= document.documentElement.scrollHeight - 2"
    page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
    while not page.evaluate(at_bottom):
        page.mouse.wheel(0, STEP_PX)
        page.wait_for_timeout(STEP_MS)
    # The last chart scrolled to is drawn a task or two later: give it half a second at least.
    now = page.evaluate("performance.now()")
    page.wait_for_timeout(max(500, loaded + AFTER_LOAD_MS - now))
    result = page.evaluate(READ)
    context.close()
    durations = [task["duration"] for task in result["tasks"]]
    return {
        "longest": max(durations, default=0.0),
        "tbt": sum(max(0.0, duration - 50) for duration in durations),
        "count": len(durations),
        "chart_script": max(result["chartScripts"], default=0.0),
        "load": result["load"],
        "drawn": f"{result['drawn']}/{result['charts']}",
    }


def measure(runs: int, against: str | None) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    variants = {"current charts.js": None, "none (charts.js empty, Chart.js loaded)": ""}
    if against:
        old = subprocess.run(
            ["git", "show", f"{against}:static/js/charts.js"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        variants[f"charts.js at {against}"] = old
    samples: dict[str, list[dict]] = {label: [] for label in variants}
    base = f"http://127.0.0.1:{PORT}"
    with production_server(PORT, 2, DASHBOARD_PUBLIC="true"):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run"]
            )
            one_run(browser, base, None)  # Warm: the server's workers and the figures cache.
            for run in range(runs):
                for label, script in variants.items():
                    sample = one_run(browser, base, script)
                    samples[label].append(sample)
                    print(
                        f"run {run + 1} {label}: longest {sample['longest']:.0f} ms, "
                        f"TBT {sample['tbt']:.0f} ms, {sample['count']} long tasks, "
                        f"longest chart script {sample['chart_script']:.0f} ms, "
                        f"charts drawn {sample['drawn']}"
                    )
            browser.close()
    return samples


def report(samples: dict[str, list[dict]], runs: int) -> list[str]:
    lines = [
        f"{PAGE} (2021 plan with `load_sample_data 2021`) through gunicorn, DEBUG off, on a "
        f"shared {os.cpu_count()}-core machine, in the system Chromium at "
        f"{VIEWPORT['width']} × {VIEWPORT['height']} with the CPU slowed down "
        f"{SLOWDOWN}x (CDP Emulation.setCPUThrottlingRate, as Lighthouse's mobile profile). "
        f"The page is scrolled to its bottom {STEP_PX} px every {STEP_MS} ms with the mouse "
        "wheel, so that every chart is drawn; the long tasks (PerformanceObserver 'longtask', "
        f"buffered) are read {AFTER_LOAD_MS / 1000:.0f} s after the load event, or half a "
        "second after the scrolling if that ends later. Total blocking time: the sum of each "
        f"long task's time over 50 ms. Longest chart script: the longest run of Chart.js or "
        "charts.js in a long animation frame (PerformanceObserver 'long-animation-frame'), "
        "forced style and layout included. The row with charts.js empty is the page without "
        "its charts: the long tasks that are the page's own (parsing, style, layout of its "
        f"tables). Median of {runs} runs, each in a fresh context, the variants interleaved; "
        "in brackets, the worst.",
        "",
        "| charts.js | longest task | total blocking time | long tasks | longest chart script "
        "| load event | charts drawn |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, runs_ in samples.items():

        def median(key: str, runs_=runs_) -> float:
            return statistics.median(sample[key] for sample in runs_)

        def worst(key: str, runs_=runs_) -> float:
            return max(sample[key] for sample in runs_)

        drawn = sorted({sample["drawn"] for sample in runs_})
        lines.append(
            f"| {label} | {median('longest'):.0f} ms ({worst('longest'):.0f}) "
            f"| {median('tbt'):.0f} ms ({worst('tbt'):.0f}) | {median('count'):.0f} "
            f"| {median('chart_script'):.0f} ms ({worst('chart_script'):.0f}) "
            f"| {median('load'):.0f} ms | {', '.join(drawn)} |"
        )
    lines += [
        "",
        "Target (issue 25): no single long task over 200 ms while the overview draws its charts.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--against", help="also measure charts.js as at this git revision")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    samples = measure(args.runs, args.against)
    write_section("Charts on a phone: the overview's main thread", report(samples, args.runs))


if __name__ == "__main__":
    main()
