"""Builds the notebook's local wheelhouse in .cache/wheels/ for micropip in the browser.

Holds the webtensor wheel (rebuilt when the package's sources change) and pure-Python wheels of
pytest and its dependencies for Pyodide's Python 3.12, plus index.json listing every wheel
({"wheels": [{"name", "version", "file", "sha256", "size"}]}) so the front end can find them.

Usage: python web/tools/wheelhouse.py [--cache .cache]
"""
import argparse
import zipfile
import tomllib
import pathlib
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# pytest for the op suite under Pyodide; its dependencies resolve for Python 3.12 (Pyodide 0.27).
PYTEST_REQUIREMENT = "pytest==8.3.5"
PYODIDE_PYTHON = "3.12"


def source_digest():
    """A sha256 over webtensor's package sources, the WGSL shaders and pyproject.toml: changes when the
    wheel would."""
    h = hashlib.sha256()
    paths = [os.path.join(ROOT, "pyproject.toml")]
    paths += sorted(os.path.join(ROOT, "shaders", f) for f in os.listdir(os.path.join(ROOT, "shaders"))
                    if f.endswith(".wgsl"))
    for folder, dirs, files in os.walk(os.path.join(ROOT, "pkg", "webtensor")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths += [os.path.join(folder, f) for f in sorted(files) if not f.endswith(".pyc")]
    for path in paths:
        h.update(os.path.relpath(path, ROOT).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def build_wheel(out_dir):
    """Writes webtensor-<version>-py3-none-any.whl from pkg/webtensor, with shaders/*.wgsl inside the
    package (webtensor/backends/webgpu/shaders/, where programs.py looks in a wheel). Returns its path.

    A pure-Python wheel is a zip with a dist-info; building it directly keeps the tests off the network
    and always on the sources under test.
    """
    root = pathlib.Path(ROOT)
    meta = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    name, version = meta["name"], meta["version"]
    files = []
    for path in sorted((root / "pkg" / "webtensor").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((path.relative_to(root / "pkg").as_posix(), path))
    for path in sorted((root / "shaders").glob("*.wgsl")):
        files.append((f"webtensor/backends/webgpu/shaders/{path.name}", path))
    dist_info = f"{name}-{version}.dist-info"
    requires = "".join(f"Requires-Dist: {r}\n" for r in meta.get("dependencies", []))
    extra = {
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                 f"Summary: {meta.get('description', '')}\n{requires}",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: webtensor-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/top_level.txt": "webtensor\n",
    }
    record = []
    wheel = pathlib.Path(out_dir) / f"{name}-{version}-py3-none-any.whl"

    def digest(data):
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, path in files:
            data = path.read_bytes()
            z.writestr(arc, data)
            record.append(f"{arc},{digest(data)},{len(data)}")
        for arc, text in extra.items():
            data = text.encode()
            z.writestr(arc, data)
            record.append(f"{arc},{digest(data)},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        z.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel


def build_webtensor(out_dir):
    """Rebuilds webtensor-*.whl when the sources changed since the last build; returns True if built."""
    stamp = os.path.join(out_dir, ".webtensor-source")
    digest = source_digest()
    current = [f for f in os.listdir(out_dir) if f.startswith("webtensor-") and f.endswith(".whl")]
    if current and os.path.isfile(stamp) and open(stamp).read().strip() == digest:
        return False
    with tempfile.TemporaryDirectory(prefix="webtensor-wheel-") as tmp:
        built = build_wheel(tmp)
        for old in current:
            os.unlink(os.path.join(out_dir, old))
        shutil.move(str(built), os.path.join(out_dir, built.name))
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return True


def fetch_pytest(out_dir):
    """Downloads pure-Python wheels of pytest and its dependencies for Pyodide's Python."""
    stamp = os.path.join(out_dir, ".pytest-requirement")
    if os.path.isfile(stamp) and open(stamp).read().strip() == PYTEST_REQUIREMENT:
        return False
    subprocess.run([sys.executable, "-m", "pip", "download", PYTEST_REQUIREMENT, "--quiet",
                    "--only-binary=:all:", "--python-version", PYODIDE_PYTHON, "--platform", "any",
                    "--implementation", "py", "--abi", "none", "--dest", out_dir], check=True)
    with open(stamp, "w") as f:
        f.write(PYTEST_REQUIREMENT + "\n")
    return True


def write_index(out_dir):
    """Writes index.json describing every wheel in the wheelhouse; returns the entries."""
    wheels = []
    for name in sorted(os.listdir(out_dir)):
        if not name.endswith(".whl"):
            continue
        path = os.path.join(out_dir, name)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        dist, version = name.split("-")[:2]
        wheels.append({"name": dist.lower().replace("_", "-"), "version": version, "file": name,
                       "sha256": digest, "size": os.path.getsize(path)})
    tmp = os.path.join(out_dir, ".index.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"wheels": wheels}, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, "index.json"))
    return wheels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=".cache", help="cache folder (default .cache)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    out_dir = os.path.join(args.cache, "wheels")
    os.makedirs(out_dir, exist_ok=True)
    try:
        built = build_webtensor(out_dir)
        fetched = fetch_pytest(out_dir)
    except (subprocess.CalledProcessError, RuntimeError) as e:
        print(f"wheelhouse: error: {e}", file=sys.stderr)
        return 1
    wheels = write_index(out_dir)
    size = sum(w["size"] for w in wheels)
    print(f"wheelhouse: webtensor {'built' if built else 'up to date'}, pytest "
          f"{'downloaded' if fetched else 'cached'}; {len(wheels)} wheels "
          f"({', '.join(w['file'] for w in wheels)}), {size / 1e6:.1f} MB in {out_dir}, "
          f"{time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
