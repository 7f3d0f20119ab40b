"""Without nginx the deployment test (tests/test_deploy.py) is skipped, and says how to install it: checked by running
pytest on it in a subprocess with KB_NGINX set to a path that does not exist (nothing is started)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support import ROOT


def test_a_run_without_nginx_skips_the_deployment_test_with_an_install_hint() -> None:
    env = {**os.environ, "KB_NGINX": "/nonexistent/nginx"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-rs", "tests/test_deploy.py"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    assert int(re.search(r"(\d+) skipped", last).group(1)) >= 5 and " passed" not in last, done.stdout
    assert ("no nginx at /nonexistent/nginx: install it with `apt-get install nginx` (Debian's package)"
            in done.stdout), done.stdout
