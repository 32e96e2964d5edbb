#!/usr/bin/env python3
"""Tests of scripts/check_versions.py: its parsers, and that a drift in any one
of the files it reads is reported (on a copy of the repository's files)."""

import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_versions as cv  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FILES = [
    "VERSION",
    "CHANGELOG.md",
    "bazel/version.bzl",
    "server/version.h",
    "client/python/pyproject.toml",
    "client/node/package.json",
    "client/node/package-lock.json",
    "client/java/pom.xml",
    "client/go/go.mod",
    "protos/zoom/livestream/v1/livestream_service.proto",
    "protos/zoom/livestream/v1/error_reason.proto",
]


class ParserTest(unittest.TestCase):
    def test_version_file(self):
        for text, want in [("1.2.3\n", "1.2.3"), ("0.1.0", "0.1.0"), ("2.0.0-rc.1\n", "2.0.0-rc.1")]:
            with self.subTest(text=text):
                self.assertEqual(cv.read_version_file(text), want)
        for text in ["", "\n", "1.2", "v1.2.3", "01.2.3", "1.2.3+build", "1.2.3 extra"]:
            with self.subTest(text=text), self.assertRaises(ValueError):
                cv.read_version_file(text)

    def test_bzl(self):
        self.assertEqual(cv.bzl_version('"""doc"""\n\nLIVESTREAM_VERSION = "1.0.0"\n'), "1.0.0")
        self.assertIsNone(cv.bzl_version("OTHER = 1\n"))

    def test_header(self):
        text = (
            'inline constexpr absl::string_view kVersion = "1.0.0";\n'
            'inline constexpr absl::string_view kUserAgent = "zoom-livestream-gateway/1.0.1";\n'
        )
        self.assertEqual(cv.header_versions(text), ("1.0.0", "1.0.1"))
        self.assertEqual(cv.header_versions(""), (None, None))

    def test_pyproject(self):
        text = '[build-system]\nrequires = []\n\n[project]\nname = "x"\nversion = "1.0.0"\n'
        self.assertEqual(cv.pyproject_fields(text), ("x", "1.0.0"))

    def test_npm(self):
        self.assertEqual(cv.package_json_fields('{"name": "@a/b", "version": "1.0.0"}'), ("@a/b", "1.0.0"))
        lock = '{"version": "1.0.0", "packages": {"": {"version": "1.0.1"}, "node_modules/x": {"version": "9"}}}'
        self.assertEqual(cv.package_lock_versions(lock), ("1.0.0", "1.0.1"))

    def test_pom_reads_the_project_not_its_dependencies(self):
        text = (
            '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
            "<groupId>g</groupId><artifactId>a</artifactId><version>1.0.0</version>"
            "<dependencies><dependency><groupId>d</groupId><version>9</version></dependency></dependencies>"
            "</project>"
        )
        self.assertEqual(cv.pom_fields(text), ("g", "a", "1.0.0"))

    def test_go(self):
        self.assertEqual(cv.go_module("module example.com/m\n\ngo 1.22\n"), "example.com/m")
        text = 'option go_package = "example.com/m/v1;v1";\noption go_package = "example.com/n";\n'
        self.assertEqual(cv.go_packages(text), ["example.com/m/v1", "example.com/n"])

    def test_changelog(self):
        text = "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n"
        self.assertTrue(cv.changelog_has(text, "1.0.0"))
        self.assertFalse(cv.changelog_has(text, "1.0"))
        self.assertFalse(cv.changelog_has("see [1.0.0]\n", "1.0.0"))


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="check_versions_test."))
        self.addCleanup(shutil.rmtree, self.root)
        for name in FILES:
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, self.root / name)
        self.version = (REPO / "VERSION").read_text().strip()

    def edit(self, name, old, new):
        path = self.root / name
        text = path.read_text()
        self.assertIn(old, text, f"{name} no longer contains {old!r}: update this test")
        path.write_text(text.replace(old, new, 1))

    def test_the_repository_agrees(self):
        self.assertEqual(cv.check(REPO), [])
        self.assertEqual(cv.main(["--root", str(REPO)]), 0)

    def test_each_drift_is_reported(self):
        v = self.version
        cases = [
            ("VERSION", v, "9.9.9", "bazel/version.bzl"),
            ("bazel/version.bzl", f'"{v}"', '"9.9.9"', "bazel/version.bzl"),
            ("server/version.h", f'kVersion = "{v}"', 'kVersion = "9.9.9"', "kVersion"),
            ("server/version.h", f"gateway/{v}", "gateway/9.9.9", "kUserAgent"),
            ("client/python/pyproject.toml", f'version = "{v}"', 'version = "9.9.9"', "pyproject.toml version"),
            ("client/python/pyproject.toml", f'name = "{cv.PYPI_NAME}"', 'name = "zoom-x"', "pyproject.toml name"),
            ("client/node/package.json", f'"version": "{v}"', '"version": "9.9.9"', "package.json version"),
            ("client/node/package.json", '"name": "@zoom-livestream-gateway/', '"name": "@zoom/', "package.json name"),
            ("client/node/package-lock.json", f'"version": "{v}"', '"version": "9.9.9"', "package-lock.json version"),
            ("client/java/pom.xml", f"<version>{v}</version>", f"<version>{v}-SNAPSHOT</version>", "pom.xml version"),
            ("client/java/pom.xml", f"<groupId>{cv.MAVEN_GROUP_ID}</groupId>", "<groupId>com.zoom</groupId>", "groupId"),
            ("client/go/go.mod", f"module {cv.GO_MODULE}", "module example.com/m", "go.mod module"),
            (
                "protos/zoom/livestream/v1/error_reason.proto",
                f'go_package = "{cv.GO_MODULE}/',
                'go_package = "example.com/m/',
                "error_reason.proto go_package",
            ),
            ("CHANGELOG.md", f"## [{v}]", "## [0.0.0]", "CHANGELOG.md"),
        ]
        for name, old, new, reported in cases:
            with self.subTest(file=name, change=new):
                original = (self.root / name).read_text()
                self.edit(name, old, new)
                problems = cv.check(self.root)
                self.assertTrue(any(reported in p for p in problems), problems)
                self.assertEqual(cv.main(["--root", str(self.root)]), 1)
                (self.root / name).write_text(original)
                self.assertEqual(cv.check(self.root), [])

    def test_a_version_that_is_not_semver_is_reported_alone(self):
        (self.root / "VERSION").write_text("1.0\n")
        self.assertEqual(len(cv.check(self.root)), 1)


if __name__ == "__main__":
    unittest.main()
