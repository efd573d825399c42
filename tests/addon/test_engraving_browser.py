"""The sample add-on in the browser: its own browser tests (examples/jewelerp_engraving/tests/e2e) run in the
environment where it is installed, since the app must discover it to compile its page."""

from __future__ import annotations

import os
import subprocess

import pytest

from jewelerp import PROJECT_ROOT
from tests.addon.overlay import ADDON

BROWSER_SECONDS = 900  # one production build of the app in a fresh folder, then the page test


@pytest.mark.e2e
@pytest.mark.timeout(BROWSER_SECONDS + 60)
def test_the_addons_browser_tests_pass_with_it_installed(overlay_python, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JEWELERP_", "PYTEST_"))}
    env["REFLEX_WEB_WORKDIR"] = str(tmp_path / "web")  # its own build: the main browser tests may run meanwhile
    done = subprocess.run(
        [str(overlay_python), "-m", "pytest", str(ADDON / "tests" / "e2e"), "-m", "e2e", "-q"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BROWSER_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"the add-on's browser tests failed:\n{done.stdout}\n{done.stderr}"
