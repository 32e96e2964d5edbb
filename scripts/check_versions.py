#!/usr/bin/env python3
"""Fails when a release's version or distribution names drift apart.

The repository's VERSION file is the one version (docs/versioning.md). CMake
reads it; every other place that must spell it out is compared with it here:

  bazel/version.bzl             LIVESTREAM_VERSION (//bazel:version_test too)
  server/version.h              kVersion and kUserAgent (the server's --version)
  client/python/pyproject.toml  [project] version
  client/node/package.json      version (and package-lock.json's two copies)
  client/java/pom.xml           <version>, a release (no -SNAPSHOT)
  CHANGELOG.md                  a "## [X.Y.Z]" entry for it

livestreamctl takes CMake's PROJECT_VERSION (and Bazel's LIVESTREAM_VERSION),
so it needs no check of its own. The Go module has no version in any file: a
release is the git tag client/go/vX.Y.Z (docs/releasing.md).

It also checks that the distribution names stay in the project's own
namespace (PUBLIC_REPO below, docs/versioning.md): the PyPI project, the npm
scope, the Maven groupId, the Go module path, and that every proto's
go_package lies inside that module.

  scripts/check_versions.py [--root DIR]

Tests: scripts/check_versions_test.py.
"""

import argparse
import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

# The repository's public path: the Go module lives under it, and the other
# ecosystems' names derive from its owner.
PUBLIC_REPO = "github.com/zoom-livestream-gateway/gateway"
GO_MODULE = PUBLIC_REPO + "/client/go"
PYPI_NAME = "zoom-livestream-gateway-client"
NPM_SCOPE = "@zoom-livestream-gateway/"
MAVEN_GROUP_ID = "io.github.zoom-livestream-gateway"

# Semantic Versioning 2.0.0, without build metadata (no package index keeps it).
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def read_version_file(text):
    """The version in VERSION's first line; raises ValueError if not SemVer."""
    lines = text.splitlines()
    version = lines[0].strip() if lines else ""
    if not SEMVER.match(version):
        raise ValueError(f"VERSION: {version!r} is not a semantic version X.Y.Z[-pre]")
    return version


def bzl_version(text):
    match = re.search(r'^LIVESTREAM_VERSION = "([^"]*)"', text, re.M)
    return match.group(1) if match else None


def header_versions(text):
    """(kVersion, the version in kUserAgent) of server/version.h."""
    version = re.search(r'kVersion = "([^"]*)"', text)
    agent = re.search(r'kUserAgent = "zoom-livestream-gateway/([^"]*)"', text)
    return (version.group(1) if version else None, agent.group(1) if agent else None)


def pyproject_fields(text):
    project = tomllib.loads(text).get("project", {})
    return project.get("name"), project.get("version")


def package_json_fields(text):
    package = json.loads(text)
    return package.get("name"), package.get("version")


def package_lock_versions(text):
    """The lock's top-level version and that of its root package entry."""
    lock = json.loads(text)
    return lock.get("version"), lock.get("packages", {}).get("", {}).get("version")


def pom_fields(text):
    """(groupId, artifactId, version) of the project itself, not its parent or dependencies."""
    root = ET.fromstring(text)
    return tuple(
        (root.findtext(f"m:{tag}", namespaces=POM_NS) or "").strip() or None
        for tag in ("groupId", "artifactId", "version")
    )


def go_module(text):
    match = re.search(r"^module\s+(\S+)", text, re.M)
    return match.group(1) if match else None


def go_packages(text):
    """The import paths (before any ';name') of a proto's go_package options."""
    return [m.group(1).split(";")[0] for m in re.finditer(r'option go_package = "([^"]*)"', text)]


def changelog_has(text, version):
    return re.search(rf"^## \[{re.escape(version)}\]", text, re.M) is not None


def check(root):
    """Every problem found under the repository root, as one line each."""
    root = Path(root)
    problems = []

    def read(path):
        return (root / path).read_text(encoding="utf-8")

    def same(where, found):
        if found != version:
            problems.append(f"{where} is {found!r}, VERSION is {version!r}")

    try:
        version = read_version_file(read("VERSION"))
    except ValueError as e:
        return [str(e)]

    same("bazel/version.bzl LIVESTREAM_VERSION", bzl_version(read("bazel/version.bzl")))
    header_version, agent_version = header_versions(read("server/version.h"))
    same("server/version.h kVersion", header_version)
    same("server/version.h kUserAgent's version", agent_version)

    py_name, py_version = pyproject_fields(read("client/python/pyproject.toml"))
    same("client/python/pyproject.toml version", py_version)
    if py_name != PYPI_NAME:
        problems.append(f"client/python/pyproject.toml name is {py_name!r}, not the project's {PYPI_NAME!r}")

    npm_name, npm_version = package_json_fields(read("client/node/package.json"))
    same("client/node/package.json version", npm_version)
    if not (npm_name or "").startswith(NPM_SCOPE):
        problems.append(f"client/node/package.json name {npm_name!r} is outside the scope {NPM_SCOPE}")
    lock_version, lock_root_version = package_lock_versions(read("client/node/package-lock.json"))
    same("client/node/package-lock.json version", lock_version)
    same('client/node/package-lock.json packages[""].version', lock_root_version)

    group_id, _, pom_version = pom_fields(read("client/java/pom.xml"))
    same("client/java/pom.xml version", pom_version)
    if group_id != MAVEN_GROUP_ID:
        problems.append(f"client/java/pom.xml groupId is {group_id!r}, not the project's {MAVEN_GROUP_ID!r}")

    module = go_module(read("client/go/go.mod"))
    if module != GO_MODULE:
        problems.append(f"client/go/go.mod module is {module!r}, not {GO_MODULE!r} (the repository's public path)")
    for proto in sorted((root / "protos").rglob("*.proto")):
        for package in go_packages(proto.read_text(encoding="utf-8")):
            if not package.startswith(GO_MODULE + "/"):
                problems.append(f"{proto.relative_to(root)} go_package {package!r} is outside the module {GO_MODULE}")

    if not changelog_has(read("CHANGELOG.md"), version):
        problems.append(f"CHANGELOG.md has no '## [{version}]' entry")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=Path(__file__).resolve().parent.parent, help="the repository root")
    args = parser.parse_args(argv)
    problems = check(args.root)
    for problem in problems:
        print(f"check_versions: DRIFT: {problem}")
    if problems:
        print("check_versions: FAILED; set the version in VERSION and copy it to the files above (docs/releasing.md)")
        return 1
    print(f"check_versions: OK: version {read_version_file((Path(args.root) / 'VERSION').read_text())} everywhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
