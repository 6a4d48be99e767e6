"""The analysis package must run without Django: the apps convert rows into its inputs."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
MODULES = ("geo", "hours", "calendar", "svgmap", "capacity", "availability", "access", "charts")


def test_analysis_modules_import_without_loading_django() -> None:
    imports = "; ".join(f"import gbvwatch.analysis.{name}" for name in MODULES)
    code = (
        "import sys\n"
        "assert 'django' not in sys.modules\n"
        f"{imports}\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
