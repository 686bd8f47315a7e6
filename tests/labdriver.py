"""Drive a real JupyterLab, started by the course's own `make lab`, from headless Chromium.

Shared by the browser test (tests/test_browser.py) and `make bench` (tests/bench.py):
start the server on 127.0.0.1, open a notebook, run it, and drag an Explore panel's
learning-rate slider while timing, in the page itself, how long the new plot takes to
arrive: from the pointer's release on the slider to the ``load`` event of the panel's
new image (the kernel's experiment and redraw, the trip over the websocket and the
browser's decoding of the PNG).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOKEN = "course-browser-test"


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(root, extra_args=""):
    """`make lab` serving ``root`` (with this interpreter's environment); yields the base
    URL. ``root`` gets the learner's work/ folder as `make lab` makes it."""
    root = Path(root)
    port = free_port()
    env = dict(os.environ, JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    cmd = ["make", "-s", "-C", str(ROOT), "lab", f"VENV={Path(sys.prefix)}",
           f"LAB_ROOT={root}", f"LAB_PORT={port}",
           f"LAB_ARGS=--no-browser --IdentityProvider.token={TOKEN} {extra_args}"]
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("make lab did not start:\n"
                                   + (root / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            yield browser
        finally:
            browser.close()


def api(base, path, method="GET"):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def shut_down_kernels(base):
    """Stop the kernels a closed page left running (two cores are shared)."""
    for kernel in api(base, "/api/kernels"):
        api(base, f"/api/kernels/{kernel['id']}", method="DELETE")


def dismiss_news(page):
    """Older JupyterLab set-ups ask once whether to fetch Jupyter news; the answer is no."""
    no = page.locator(".jp-toast-button", has_text=re.compile(r"^No$"))
    if no.count():
        no.first.click()


def wait_until_run(page, seconds=120):
    """Wait until no cell is queued or running ("[*]") any more."""
    busy = page.locator(".jp-InputPrompt", has_text="[*]")
    deadline = time.time() + seconds
    while busy.count() and time.time() < deadline:
        page.wait_for_timeout(250)


def run_all(page):
    """Run > Run All Cells, again if the kernel or the menu was not ready to take it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = page.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\d+|\*)\]"))
    for _ in range(6):
        try:
            page.keyboard.press("Escape")
            dismiss_news(page)
            page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click(timeout=5_000)
            page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click(timeout=5_000)
        except PlaywrightTimeout:
            continue
        for _ in range(40):
            if started.count():
                return
            page.wait_for_timeout(250)
    raise AssertionError("Run All Cells did not start the notebook")


def open_and_run(browser, base, relpath, workspace):
    """A page with ``relpath`` open in a workspace of its own, every cell run."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{relpath}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    dismiss_news(page)
    run_all(page)
    return page


# Records, in the page, when the pointer is released and when a panel's image has loaded.
_TIMING_JS = """
() => {
  if (window.__courseTiming) return;
  window.__courseTiming = {up: null, loads: []};
  document.addEventListener('pointerup', () => {
    window.__courseTiming.up = performance.now();
  }, true);
  document.addEventListener('load', (event) => {
    const t = event.target;
    if (t && t.tagName === 'IMG' && t.classList.contains('widget-image')) {
      window.__courseTiming.loads.push({t: performance.now(), panel: t.dataset.coursePanel});
    }
  }, true);
}
"""


def lr_panels(page):
    """The Explore panels of the page (a VBox holding an lr slider and an image)."""
    label = page.locator(".widget-label", has_text=re.compile(r"^lr$"))
    slider = page.locator(".widget-slider", has=label)
    return page.locator(".widget-vbox", has=slider).filter(
        has=page.locator("img.widget-image"))


def measure_panel(page, panel, index, drags=7, timeout_ms=20_000):
    """Drag ``panel``'s lr slider ``drags`` times (alternately right and left); return
    the redraw latencies in milliseconds (pointer release to new image loaded) and
    whether the image and the readout changed (after any of the drags)."""
    page.evaluate(_TIMING_JS)
    label = page.locator(".widget-label", has_text=re.compile(r"^lr$"))
    slider = panel.locator(".widget-slider", has=label).first
    slider.wait_for(state="attached", timeout=120_000)
    slider.scroll_into_view_if_needed()
    slider.wait_for(state="visible", timeout=30_000)
    image = panel.locator("img.widget-image").first
    image.wait_for(timeout=60_000)
    image.evaluate(f"img => img.dataset.coursePanel = '{index}'")
    first_src = image.get_attribute("src")
    readout = slider.locator(".widget-readout")
    first_readout = readout.inner_text()
    handle = slider.locator(".noUi-handle").first
    latencies, readouts = [], set()
    for k in range(drags):
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        before = page.evaluate("() => window.__courseTiming.loads.length")
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + (60 if k % 2 == 0 else -60), y, steps=6)
        page.mouse.up()
        readouts.add(readout.inner_text())
        try:
            page.wait_for_function(
                f"() => window.__courseTiming.loads.length > {before}", timeout=timeout_ms)
        except Exception:  # noqa: BLE001 (no redraw: reported below, not a crash)
            continue
        timing = page.evaluate("() => window.__courseTiming")
        load = timing["loads"][-1]["t"]
        latencies.append(load - timing["up"])
    return {"latencies_ms": latencies,
            "image_changed": image.get_attribute("src") != first_src,
            # after any drag: a slider that starts near its end comes back to it
            "readout_changed": bool(readouts - {first_readout})}


def median(values):
    return statistics.median(values) if values else float("nan")
