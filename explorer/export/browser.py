"""A locked-down headless Chromium for checking and timing HTML exports.

Used by the HTML tests and ``benchmarks/bench_html.py``; not by the program itself.
The browser runs with every network address refused (a dead proxy and a host
resolver that finds nothing), a fresh profile, and the console and network logs on,
so a test can prove that a page loaded offline and said nothing alarming.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from explorer.errors import ExplorerError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

OFFLINE_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    # Every address is unreachable: requests go to a closed local port, names resolve
    # to nothing.
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1400,900",
)


class BrowserMissing(ExplorerError, RuntimeError):
    """Chromium or chromedriver is not installed where expected."""


def find_binaries(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER) -> tuple[str, str]:
    """The two executables, or ``BrowserMissing`` naming what is absent."""
    missing = [p for p in (chromium, chromedriver) if not Path(p).is_file()]
    if missing:
        raise BrowserMissing(
            f"not found: {', '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    return chromium, chromedriver


class OfflineChromium:
    """``with OfflineChromium() as b: b.open(path)``; ``b.driver`` is the selenium driver."""

    def __init__(
        self,
        chromium: str = CHROMIUM,
        chromedriver: str = CHROMEDRIVER,
        *,
        page_load_strategy: str = "normal",
    ):
        """``page_load_strategy="none"`` makes ``open`` return at once instead of at the
        page's load event (for pages that keep the browser busy for minutes)."""
        self.chromium, self.chromedriver = find_binaries(chromium, chromedriver)
        self.page_load_strategy = page_load_strategy
        self.profile = tempfile.mkdtemp(prefix="explorer-chromium-")
        self.driver: Any = None  # a selenium WebDriver once entered

    def __enter__(self) -> OfflineChromium:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        opts = webdriver.ChromeOptions()
        opts.binary_location = self.chromium
        opts.page_load_strategy = self.page_load_strategy
        for flag in OFFLINE_FLAGS:
            opts.add_argument(flag)
        opts.add_argument(f"--user-data-dir={self.profile}")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(self.chromedriver), options=opts)
        self.driver.set_script_timeout(600)
        self.driver.set_page_load_timeout(600)
        # A command to a page whose main thread is busy waits for it; selenium's own
        # HTTP timeout (120 s) would then fail the session.
        self.driver.command_executor._client_config.timeout = 900
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.driver is not None:
                self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, path: str | Path, query: str = "") -> None:
        """Load a local file, after emptying the logs so they hold this page only.

        ``query`` (``"run=3"``) tells one load of the same file from the previous one.
        """
        self.drain_logs()
        self.driver.get(Path(path).resolve().as_uri() + (f"?{query}" if query else ""))

    def drain_logs(self) -> None:
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    def wait_for(self, script: str, timeout: float = 60.0, poll: float = 0.02):
        """Poll ``return <script>`` until it is truthy; returns its value."""
        from selenium.common.exceptions import TimeoutException

        end = time.monotonic() + timeout
        while True:
            try:
                value = self.driver.execute_script(f"return ({script});")
            except TimeoutException as exc:  # the page's main thread never came free
                raise TimeoutError(f"the page stayed busy waiting for: {script}") from exc
            if value:
                return value
            if time.monotonic() > end:
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for: {script}")
            time.sleep(poll)

    def console_errors(self) -> list[dict]:
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def requested_urls(self) -> list[str]:
        """URLs the page asked for since ``open``, from Chromium's network log (CDP)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                params = msg.get("params", {})
                if str(params.get("documentURL", "")).startswith("chrome://"):
                    continue  # the browser's own new-tab page, not ours
                urls.append(params["request"]["url"])
        return urls
