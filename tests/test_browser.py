"""`make lab` in a real JupyterLab on 127.0.0.1, driven by headless Chromium.

The course's own `make lab` serves a scratch folder holding the learner's copy (work/)
and the model-solution notebooks; for each step the test runs the notebook, finds the
learning-rate slider, drags it, and waits for the plot to be redrawn. Screenshots go to
build/screenshots/.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ASSIGNMENTS, ROOT

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "course-browser-test"

pytestmark = pytest.mark.slow


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; `make test` installs it (make browser)")
        pytest.skip("Chromium is not installed (run `make browser`)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` serving a scratch root; yields (base_url, root)."""
    root = tmp_path_factory.mktemp("lab")
    (root / "solutions").mkdir()
    for assignment in ASSIGNMENTS:
        shutil.copy(ROOT / "source" / assignment / f"{assignment}.ipynb", root / "solutions")
    port = free_port()
    env = dict(os.environ, JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    cmd = ["make", "-s", "-C", str(ROOT), "lab", f"VENV={Path(sys.prefix)}",
           f"LAB_ROOT={root}", f"LAB_PORT={port}",
           f"LAB_ARGS=--allow-root --no-browser --IdentityProvider.token={TOKEN}"]
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
                raise RuntimeError("make lab did not start:\n" + (root / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base, root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_make_lab_serves_the_course_with_its_extensions(lab, browser):
    base, root = lab
    assert set(ASSIGNMENTS) <= {p.name for p in (root / "work").iterdir()}
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{base}/?token={TOKEN}")  # the default URL: the learner's work/ folder
    # the default view is the learner's work/ folder, listing every step
    page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
    for assignment in ASSIGNMENTS:
        page.locator(".jp-DirListing-itemText", has_text=assignment).wait_for(timeout=30_000)
    # nbgrader's JupyterLab extension adds its menu; ipywidgets' manager is loaded
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dismiss_news(page)
    page.screenshot(path=str(SHOTS / "lab_home.png"))
    page.close()


def shut_down_kernels(base):
    """Stop the kernels a closed page left running (two cores are shared)."""
    import json

    def call(path, method="GET"):
        req = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()

    for kernel in json.loads(call("/api/kernels")):
        call(f"/api/kernels/{kernel['id']}", method="DELETE")


def dismiss_news(page):
    """JupyterLab asks once whether to fetch Jupyter news; the answer is no."""
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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_lr_slider_drag_redraws_the_plot(lab, browser, assignment):
    base, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # a workspace of its own, reset, so no earlier notebook's tab is restored beside it
    page.goto(f"{base}/lab/workspaces/{assignment}/tree/solutions/{assignment}.ipynb"
              f"?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    dismiss_news(page)
    run_all(page)

    label = page.locator(".widget-label", has_text=re.compile(r"^lr$"))
    slider = page.locator(".widget-slider", has=label).first
    # JupyterLab renders off-screen cells lazily: wait for the slider to exist, then scroll
    slider.wait_for(state="attached", timeout=120_000)
    slider.scroll_into_view_if_needed()
    slider.wait_for(state="visible", timeout=30_000)
    panel = page.locator(".widget-vbox", has=slider).first
    image = panel.locator(".jp-OutputArea-output img").first
    image.wait_for(timeout=60_000)
    before = image.get_attribute("src")
    readout_before = slider.locator(".widget-readout").inner_text()

    wait_until_run(page)
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout")
    for _ in range(3):  # outputs rendering above can shift the page under the mouse
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 90, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_timeout(500)
        if readout.inner_text() != readout_before:
            break

    deadline = time.time() + 60
    after = before
    while time.time() < deadline:
        current = panel.locator(".jp-OutputArea-output img").first
        if current.count():
            after = current.get_attribute("src")
            if after and after != before:
                break
        page.wait_for_timeout(250)
    readout_after = readout.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SHOTS / f"{assignment}_explore.png"))
    page.close()
    shut_down_kernels(base)
    assert readout_after != readout_before, "the drag did not move the lr slider"
    assert after and after != before, "the plot was not redrawn after the lr slider moved"
