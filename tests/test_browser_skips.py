"""Without chromium the browser tests are skipped, and the run ends by saying how many and how to install it.

conftest.py skips tests marked `browser` when CHROMIUM ($KB_CHROMIUM, else /usr/bin/chromium) is missing, and its
`pytest_terminal_summary` counts them. Checked by running pytest on tests/test_browser.py in a subprocess with
KB_CHROMIUM set to a path that does not exist (nothing is launched: every browser test is skipped before its fixtures
are set up), and by calling the hook with a run that skipped no browser test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from types import SimpleNamespace

from tests import conftest
from tests.support import ROOT


def test_a_run_without_chromium_says_how_many_browser_tests_it_skipped_and_how_to_install_it() -> None:
    env = {**os.environ, "KB_CHROMIUM": "/nonexistent/chromium"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-m", "browser", "tests/test_browser.py"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    skipped = int(re.search(r"(\d+) skipped", last).group(1))
    assert skipped >= 5 and " passed" not in last, done.stdout
    assert (f"{skipped} browser tests were skipped: no chromium at /nonexistent/chromium. Install it with "
            "`apt-get install chromium`") in done.stdout, done.stdout


class Reporter:
    """What pytest_terminal_summary uses of pytest's terminal reporter."""

    def __init__(self, skipped: list[SimpleNamespace]) -> None:
        self.stats = {"skipped": skipped}
        self.lines: list[str] = []

    def write_sep(self, sep: str, title: str, **_markup: bool) -> None:
        self.lines.append(title)

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def test_a_run_that_skipped_no_browser_test_for_want_of_chromium_says_nothing() -> None:
    other_skip = SimpleNamespace(keywords={"test_x": 1}, longrepr=("x.py", 1, "Skipped: needs root"))
    browser_skip_for_another_reason = SimpleNamespace(keywords={"browser": 1}, longrepr=("x.py", 1, "Skipped: later"))
    reporter = Reporter([other_skip, browser_skip_for_another_reason])
    conftest.pytest_terminal_summary(reporter)  # type: ignore[arg-type]
    assert reporter.lines == []
    reporter = Reporter([SimpleNamespace(keywords={"browser": 1}, longrepr=("x.py", 1, conftest.NO_CHROMIUM))] * 2)
    conftest.pytest_terminal_summary(reporter)  # type: ignore[arg-type]
    assert reporter.lines[1].startswith("2 browser tests were skipped: ")
