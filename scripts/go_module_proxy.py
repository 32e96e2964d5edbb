#!/usr/bin/env python3
"""Writes one version of a Go module as a module proxy directory (GOPROXY protocol).

  scripts/go_module_proxy.py --module-dir client/go --version v0.1.0 --time 2026-12-03T00:00:00Z \\
      --extra-file LICENSE --out dist/goproxy [FILE...]

FILEs are the module's files relative to --module-dir (default: every file under it;
scripts/release.sh passes `git ls-files`, so that only committed files ship). Writes

  OUT/<module path, case-escaped>/@v/list            the versions, one a line
  OUT/<module path, case-escaped>/@v/vX.Y.Z.info     {"Version", "Time"}
  OUT/<module path, case-escaped>/@v/vX.Y.Z.mod      the go.mod
  OUT/<module path, case-escaped>/@v/vX.Y.Z.zip      the files under "<module>@<version>/"

so that a consumer outside the repository resolves the module by its path and version before it is
tagged: GOPROXY=file:///abs/OUT GONOSUMDB=<module> (docs/releasing.md). The zip follows what the go
command puts in one: no file of a nested module (a directory with its own go.mod), no vendor/ or VCS
directories, and --extra-file (the repository's LICENSE) at the root when the module has none.
Entries are sorted with a fixed timestamp, so the same input gives the same bytes.

Tests: scripts/go_module_proxy_test.py.
"""

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path, PurePosixPath

SEMVER_TAG = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def escape_path(module_path):
    """The module path as the proxy protocol spells it: each capital letter as '!' + lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module_path)


def module_path(go_mod_text):
    match = re.search(r"^module\s+(\S+)", go_mod_text, re.M)
    if not match:
        raise ValueError("go.mod has no module line")
    return match.group(1).strip('"')


def select_files(files, nested_module_dirs):
    """The files (relative POSIX paths) that belong in the module's zip, sorted."""
    chosen = []
    for name in files:
        path = PurePosixPath(name)
        parts = path.parts
        if any(p in (".git", ".hg", ".svn", ".bzr", "vendor") for p in parts[:-1]):
            continue
        if any(path.is_relative_to(d) for d in nested_module_dirs):
            continue
        chosen.append(str(path))
    return sorted(set(chosen))


def nested_modules(files):
    """Directories (other than the root) that hold a go.mod of their own."""
    return [PurePosixPath(f).parent for f in files if PurePosixPath(f).name == "go.mod" and "/" in f]


def write_proxy(module_dir, version, time, out, files=None, extra_files=()):
    """Writes the proxy directory for module_dir at version; returns the path of the zip."""
    if not SEMVER_TAG.match(version):
        raise ValueError(f"{version!r} is not a Go module version vX.Y.Z[-pre]")
    module_dir = Path(module_dir)
    go_mod = (module_dir / "go.mod").read_text(encoding="utf-8")
    path = module_path(go_mod)
    if files is None:
        files = [str(p.relative_to(module_dir).as_posix()) for p in module_dir.rglob("*") if p.is_file()]
    chosen = select_files(files, nested_modules(files))
    if "go.mod" not in chosen:
        raise ValueError("go.mod is not among the module's files")

    version_dir = Path(out) / escape_path(path) / "@v"
    version_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"{path}@{version}/"
    zip_path = version_dir / f"{version}.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = {name: module_dir / name for name in chosen}
        for extra in extra_files:
            extra = Path(extra)
            entries.setdefault(extra.name, extra)
        for name in sorted(entries):
            info = zipfile.ZipInfo(prefix + name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name].read_bytes())
    (version_dir / f"{version}.mod").write_text(go_mod, encoding="utf-8")
    (version_dir / f"{version}.info").write_text(json.dumps({"Version": version, "Time": time}) + "\n")
    listed = set((version_dir / "list").read_text().split()) if (version_dir / "list").exists() else set()
    (version_dir / "list").write_text("".join(f"{v}\n" for v in sorted(listed | {version})))
    return zip_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module-dir", required=True)
    parser.add_argument("--version", required=True, help="vX.Y.Z")
    parser.add_argument("--time", required=True, help="RFC 3339 time of the version (the commit's)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--extra-file", action="append", default=[], help="added at the zip's root unless present")
    parser.add_argument("files", nargs="*", help="files relative to --module-dir (default: all)")
    args = parser.parse_args(argv)
    zip_path = write_proxy(args.module_dir, args.version, args.time, args.out, args.files or None, args.extra_file)
    print(zip_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
