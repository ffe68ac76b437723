"""scripts/test installs torch 2.13.0 from local disk when it can, else from the CPU index, never from PyPI."""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="scripts/test is a bash script")


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _wheel(folder: Path, name: str, version: str, origin: str, requires: tuple[str, ...] = ()) -> Path:
    """A pure-Python wheel whose module records where it came from."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name.replace('-', '_')}/__init__.py": f"ORIGIN = {origin!r}\n".encode(),
        f"{dist}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in requires)
        ).encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for arc, data in files.items():
            zf.writestr(arc, data)
        record = [_record_line(arc, data) for arc, data in files.items()] + [f"{dist}/RECORD,,"]
        zf.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return path


def _index(root: Path, wheels: list[Path]) -> str:
    """A PEP 503 simple index on disk serving these wheels; returns its file:// URL."""
    by_project: dict[str, list[Path]] = {}
    for w in wheels:
        by_project.setdefault(w.name.split("-")[0].replace("_", "-"), []).append(w)
    for project, ws in by_project.items():
        page = root / project
        page.mkdir(parents=True, exist_ok=True)
        links = []
        for w in ws:
            shutil.copy(w, page / w.name)
            links.append(f'<a href="{w.name}">{w.name}</a>')
        (page / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    return root.as_uri()


@pytest.fixture
def world(tmp_path):
    """A copy of scripts/test, a stand-in PyPI (CUDA torch), a stand-in CPU index and a local wheel folder."""
    tree = tmp_path / "tree"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "test", tree / "scripts" / "test")
    built = tmp_path / "built"
    dep = _wheel(built / "dep", "fakedep", "1.0", "index")
    pypi = _index(tmp_path / "pypi", [_wheel(built / "pypi", "torch", "2.13.0", "pypi-cuda", ("fakedep",)), dep])
    cpu = _index(tmp_path / "cpu", [_wheel(built / "cpu", "torch", "2.13.0+cpu", "cpu-index", ("fakedep",)), dep])
    local = tmp_path / "wheels"
    _wheel(local, "torch", "2.13.0+cpu", "local-disk", ("fakedep",))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=pypi, PIP_DISABLE_PIP_VERSION_CHECK="1",
               HELPFIRST_TORCH_INDEX=cpu, PYTHON=sys.executable)
    return tree, env, local, tmp_path / "empty"


def _installed_origin(tree: Path) -> str:
    out = subprocess.run([str(tree / ".venv" / "bin" / "python"), "-c",
                          "import torch, fakedep; print(torch.ORIGIN)"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_ci_machine_takes_the_local_wheel_and_its_dependencies_from_the_index(world):
    tree, env, local, _ = world
    env["PIP_FIND_LINKS"] = str(local)
    run = subprocess.run([str(tree / "scripts" / "test"), "--torch-only"], env=env, cwd=tree,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert _installed_origin(tree) == "local-disk"
    assert "CPU build" not in run.stdout


def test_fresh_machine_takes_the_cpu_index_not_pypi(world):
    tree, env, _, empty = world
    empty.mkdir()
    env["PIP_FIND_LINKS"] = str(empty)
    run = subprocess.run([str(tree / "scripts" / "test"), "--torch-only"], env=env, cwd=tree,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert _installed_origin(tree) == "cpu-index"
    assert "installing torch 2.13.0 (CPU build) from file://" in run.stdout
