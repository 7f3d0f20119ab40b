"""Without a Typesense server binary the Typesense tests are skipped, and the run ends by saying how many and how to
install it (as the browser tests without chromium). Checked by running pytest on tests/test_typesense.py in a
subprocess with $KB_TYPESENSE_SERVER naming a file that does not exist: nothing is started."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support import ROOT


def test_a_run_without_the_server_says_how_many_typesense_tests_it_skipped_and_how_to_install_it() -> None:
    env = {**os.environ, "KB_TYPESENSE_SERVER": "/nonexistent/typesense-server"}
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_typesense.py"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    skipped = int(re.search(r"(\d+) skipped", last).group(1))
    assert skipped >= 5 and " passed" not in last, done.stdout
    assert (f"{skipped} Typesense tests were skipped: $KB_TYPESENSE_SERVER=/nonexistent/typesense-server is not an "
            "executable file; install the test dependencies (`.venv/bin/pip install -e '.[test]'`") in done.stdout, \
        done.stdout
