"""Builds the notebook's local wheelhouse in .cache/wheels/ for micropip in the browser.

Holds the webtensor wheel (rebuilt when the package's sources change) and pure-Python wheels of
pytest and its dependencies for Pyodide's Python 3.12, plus index.json listing every wheel
({"wheels": [{"name", "version", "file", "sha256", "size"}]}) so the front end can find them.

Usage: python web/tools/wheelhouse.py [--cache .cache]
"""
import argparse
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
    """A sha256 over webtensor's package sources and pyproject.toml: changes when the wheel would."""
    h = hashlib.sha256()
    paths = [os.path.join(ROOT, "pyproject.toml")]
    for folder, dirs, files in os.walk(os.path.join(ROOT, "pkg", "webtensor")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths += [os.path.join(folder, f) for f in sorted(files) if not f.endswith(".pyc")]
    for path in paths:
        h.update(os.path.relpath(path, ROOT).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def build_webtensor(out_dir):
    """Rebuilds webtensor-*.whl when the sources changed since the last build; returns True if built."""
    stamp = os.path.join(out_dir, ".webtensor-source")
    digest = source_digest()
    current = [f for f in os.listdir(out_dir) if f.startswith("webtensor-") and f.endswith(".whl")]
    if current and os.path.isfile(stamp) and open(stamp).read().strip() == digest:
        return False
    with tempfile.TemporaryDirectory(prefix="webtensor-wheel-") as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--quiet", "--wheel-dir", tmp],
                       check=True)
        built = [f for f in os.listdir(tmp) if f.startswith("webtensor-") and f.endswith(".whl")]
        if len(built) != 1:
            raise RuntimeError(f"pip wheel produced {built}, expected one webtensor wheel")
        for old in current:
            os.unlink(os.path.join(out_dir, old))
        shutil.move(os.path.join(tmp, built[0]), os.path.join(out_dir, built[0]))
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
