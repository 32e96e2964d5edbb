#!/usr/bin/env python3
"""Tests of scripts/go_module_proxy.py; the last one has the go command fetch
the module from the directory written (skipped without `go`)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
import go_module_proxy as gmp  # noqa: E402

MODULE = "example.com/Owner/mod"


class PureTest(unittest.TestCase):
    def test_escape_path(self):
        for path, want in [
            ("github.com/a/b", "github.com/a/b"),
            ("github.com/Azure/b", "github.com/!azure/b"),
            ("example.com/ABc", "example.com/!a!bc"),
        ]:
            with self.subTest(path=path):
                self.assertEqual(gmp.escape_path(path), want)

    def test_module_path(self):
        self.assertEqual(gmp.module_path("// c\nmodule example.com/m\n\ngo 1.22\n"), "example.com/m")
        self.assertEqual(gmp.module_path('module "example.com/q"\n'), "example.com/q")
        with self.assertRaises(ValueError):
            gmp.module_path("go 1.22\n")

    def test_select_files_drops_nested_modules_vendor_and_vcs(self):
        files = [
            "go.mod",
            "a.go",
            "pkg/b.go",
            "nested/go.mod",
            "nested/c.go",
            "vendor/x/d.go",
            ".git/config",
            "pkg/vendored.go",
            "a.go",
        ]
        nested = gmp.nested_modules(files)
        self.assertEqual(nested, [PurePosixPath("nested")])
        self.assertEqual(gmp.select_files(files, nested), ["a.go", "go.mod", "pkg/b.go", "pkg/vendored.go"])


class WriteProxyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="go_module_proxy_test."))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.mod = self.tmp / "mod"
        (self.mod / "hello").mkdir(parents=True)
        (self.mod / "nested").mkdir()
        (self.mod / "go.mod").write_text(f"module {MODULE}\n\ngo 1.21\n")
        (self.mod / "hello" / "hello.go").write_text('package hello\n\n// Greeting is a test value.\nconst Greeting = "hi"\n')
        (self.mod / "nested" / "go.mod").write_text("module example.com/other\n")
        (self.mod / "untracked.txt").write_text("not listed\n")
        self.license = self.tmp / "LICENSE"
        self.license.write_text("licence text\n")
        self.files = ["go.mod", "hello/hello.go", "nested/go.mod"]

    def write(self, version="v1.2.3", out=None):
        return gmp.write_proxy(
            self.mod, version, "2026-01-02T03:04:05Z", out or self.tmp / "proxy", self.files, [self.license]
        )

    def test_layout_and_zip_contents(self):
        zip_path = self.write()
        version_dir = self.tmp / "proxy" / "example.com" / "!owner" / "mod" / "@v"
        self.assertEqual(zip_path, version_dir / "v1.2.3.zip")
        self.assertEqual((version_dir / "list").read_text(), "v1.2.3\n")
        self.assertEqual((version_dir / "v1.2.3.mod").read_text(), (self.mod / "go.mod").read_text())
        self.assertEqual(
            json.loads((version_dir / "v1.2.3.info").read_text()),
            {"Version": "v1.2.3", "Time": "2026-01-02T03:04:05Z"},
        )
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            self.assertEqual(
                names,
                [f"{MODULE}@v1.2.3/{n}" for n in ("LICENSE", "go.mod", "hello/hello.go")],
            )
            self.assertEqual(archive.read(f"{MODULE}@v1.2.3/LICENSE"), b"licence text\n")

    def test_the_module_own_license_wins(self):
        (self.mod / "LICENSE").write_text("module's own\n")
        self.files.append("LICENSE")
        with zipfile.ZipFile(self.write()) as archive:
            self.assertEqual(archive.read(f"{MODULE}@v1.2.3/LICENSE"), b"module's own\n")

    def test_same_input_same_bytes_and_versions_accumulate(self):
        first = self.write().read_bytes()
        self.assertEqual(self.write().read_bytes(), first)
        self.write("v1.3.0-rc.1")
        self.assertEqual(
            (self.tmp / "proxy" / "example.com" / "!owner" / "mod" / "@v" / "list").read_text(),
            "v1.2.3\nv1.3.0-rc.1\n",
        )

    def test_refusals(self):
        for version in ["1.2.3", "v1.2", "v01.2.3"]:
            with self.subTest(version=version), self.assertRaises(ValueError):
                self.write(version)
        self.files.remove("go.mod")
        with self.assertRaises(ValueError):
            self.write()

    @unittest.skipUnless(shutil.which("go"), "no go command")
    def test_the_go_command_downloads_it(self):
        self.write()
        env = dict(
            os.environ,
            GOPROXY=(self.tmp / "proxy").as_uri(),
            GOMODCACHE=str(self.tmp / "modcache"),
            GONOSUMDB="example.com",
            GOFLAGS="-modcacherw",
            GOTOOLCHAIN="local",
        )
        result = subprocess.run(
            ["go", "mod", "download", "-json", f"{MODULE}@v1.2.3"],
            cwd=self.tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        downloaded = Path(json.loads(result.stdout)["Dir"])
        self.assertEqual((downloaded / "hello" / "hello.go").read_text(), (self.mod / "hello" / "hello.go").read_text())
        self.assertFalse((downloaded / "nested").exists())


if __name__ == "__main__":
    unittest.main()
