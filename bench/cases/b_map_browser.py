"""The map page as a mid-range phone runs it: Chromium with its CPU slowed 4x (DevTools protocol),
loading the county and the state view from the production server (gunicorn, DEBUG off, hashed
and compressed static files) on 127.0.0.1.

Figures (targets from issue 14, read on the full run; this case reports, it never fails on a
figure): total blocking time (the part of each main-thread task beyond 50 ms, from first paint
until the map is drawn) at most 200 ms; the longest task; layout shift at most 0.02; largest
contentful paint; time until the map is drawn; bytes transferred on first load at most 300 KB.
The network is not throttled: Lighthouse (README.md) adds its simulated 4G on top of this.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.generate import generate_partnerships
from bench.loadtest import _free_port, _wait_until_serving
from survmap.common import data_version
from survmap.imports.atlas import AtlasImporter
from survmap.imports.readers import read_atlas
from survmap.records.models import Partnership

REPO = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CPU_SLOWDOWN = 4
VIEWPORT = {"width": 390, "height": 844}
# Recorded in the page from its first byte: long tasks, layout shifts, LCP, and when the map
# says it is drawn (data-state="ready").
OBSERVE = """
window.__bench = {long: [], shifts: 0, lcp: 0, ready: 0, fcp: 0};
function watch(type, each) {
  new PerformanceObserver(list => list.getEntries().forEach(each))
    .observe({type: type, buffered: true});
}
watch('longtask', e => __bench.long.push([e.startTime, e.duration]));
watch('layout-shift', e => { if (!e.hadRecentInput) __bench.shifts += e.value; });
watch('largest-contentful-paint', e => { __bench.lcp = e.startTime; });
watch('paint', e => { if (e.name === 'first-contentful-paint') __bench.fcp = e.startTime; });
new MutationObserver(() => {
  const map = document.getElementById('map');
  if (map && map.dataset.state === 'ready' && !__bench.ready) __bench.ready = performance.now();
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-state']});
"""


UNITS = {
    "tbt_ms": "ms",
    "longest_task_ms": "ms",
    "long_tasks": "count",
    "layout_shift": "score",
    "lcp_ms": "ms",
    "ready_ms": "ms",
    "transferred_bytes": "bytes",
}


def _serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "survmap.wsgi"],
        cwd=REPO,
        env=env,
    )


def _load(browser: Any, url: str) -> dict[str, float]:
    """One first visit (empty cache) under 4x CPU slowdown."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    # Playwright reports the worker's requests (the outlines) on the page, with their sizes.
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.add_init_script(OBSERVE)
    page.goto(url, timeout=120_000)
    page.wait_for_selector("#map[data-state=ready]", timeout=120_000)
    page.wait_for_timeout(1500)  # tasks that follow the drawing count too
    figures = page.evaluate("window.__bench")
    received = 0
    for request in finished:
        sizes = request.sizes()
        received += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    since_paint = [(start, length) for start, length in figures["long"] if start >= figures["fcp"]]
    return {
        "tbt_ms": sum(max(0.0, length - 50) for _, length in since_paint),
        "longest_task_ms": max((length for _, length in figures["long"]), default=0.0),
        "long_tasks": float(len(figures["long"])),
        "layout_shift": figures["shifts"],
        "lcp_ms": figures["lcp"],
        "ready_ms": figures["ready"],
        "transferred_bytes": float(received),
    }


def run(context: Any) -> None:
    if not CHROMIUM.exists():
        print(f"# b_map_browser: skipped, no Chromium at {CHROMIUM}", flush=True)
        return
    if not Partnership.objects.public().exists():
        # Run alone (--only map_browser): the whole Atlas if it is there, as readers see it.
        if context.atlas_path.exists() and not context.quick:
            AtlasImporter(read_atlas(context.atlas_path).rows).run()
        else:
            generate_partnerships(context.sizes[0])
    data_version.bump()
    rows = Partnership.objects.public().count()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _serve(port)
    try:
        _wait_until_serving(port, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-background-networking"],
            )
            try:
                for level in ("county", "state"):
                    url = f"http://127.0.0.1:{port}/?level={level}"
                    _load(browser, url)  # the server's caches warm; not reported
                    runs = [_load(browser, url) for _ in range(1 if context.quick else 3)]
                    for name, unit in UNITS.items():
                        values = [figures[name] for figures in runs]
                        prefix = f"map_browser.{level}.{name}"
                        context.emit(prefix, statistics.median(values), unit, rows)
                        if len(values) > 1:
                            context.emit(f"{prefix}_max", max(values), unit, rows)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
