"""The deployment guide, followed by `scripts/deploy-local.sh` on this machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "deploy-local.sh"


def test_the_deployment_script_succeeds() -> None:
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    steps = [line for line in done.stdout.splitlines() if line.startswith("== ")]
    assert steps[-1] == "== deployment checked"
    healthy = [line for line in steps if line.startswith("== healthz")]
    assert [line.split(":", 1)[0] for line in healthy] == [
        "== healthz (original)",
        "== healthz (restored)",
    ]
    assert all('"ok": true' in line for line in healthy)
