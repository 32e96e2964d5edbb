#!/usr/bin/env python3
"""A light test of scripts/release.sh: its fast, offline artifacts (protos, the
descriptor set, the Go module proxy directory) and SHA256SUMS, into a temporary
directory. The python, npm and maven artifacts take minutes and the network on
a fresh machine, so they are not run here: docs/releasing.md says how to check
a full run, and the packages themselves are built by their client stages."""

import hashlib
import subprocess
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION = (REPO / "VERSION").read_text().strip()
GO_MODULE = "github.com/zoom-livestream-gateway/gateway/client/go"


def release(*args):
    return subprocess.run(
        [str(REPO / "scripts" / "release.sh"), *args], capture_output=True, text=True, timeout=300
    )


class ReleaseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="release_test.")
        cls.out = Path(cls.tmp.name) / "dist"
        cls.result = release("--out", str(cls.out), "protos", "go")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_it_succeeds(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)

    def test_proto_tarball(self):
        with tarfile.open(self.out / f"zoom-livestream-gateway-protos-{VERSION}.tar.gz") as tar:
            names = tar.getnames()
        root = f"zoom-livestream-gateway-protos-{VERSION}"
        protos = sorted(str(p.relative_to(REPO / "protos")) for p in (REPO / "protos" / "zoom").rglob("*.proto"))
        self.assertTrue(protos)
        for name in protos + ["LICENSE"]:
            self.assertIn(f"{root}/{name}", names)

    def test_descriptor_set_holds_the_api_and_its_imports(self):
        data = (self.out / f"zoom-livestream-gateway-{VERSION}.binpb").read_bytes()
        for name in [
            b"zoom/livestream/v1/livestream_service.proto",
            b"zoom/livestream/v1/error_reason.proto",
            b"google/rpc/status.proto",
            b"google/protobuf/field_mask.proto",
            # --include_source_info: the proto's comments travel with it.
            b"Starts or stops a live stream",
        ]:
            self.assertIn(name, data)

    def test_go_module_proxy(self):
        version_dir = self.out / "goproxy" / GO_MODULE / "@v"
        self.assertEqual((version_dir / "list").read_text(), f"v{VERSION}\n")
        with zipfile.ZipFile(version_dir / f"v{VERSION}.zip") as archive:
            names = set(archive.namelist())
        prefix = f"{GO_MODULE}@v{VERSION}/"
        for name in ["go.mod", "go.sum", "LICENSE", "richerr/richerr.go", "serviceconfig/service_config.json"]:
            self.assertIn(prefix + name, names)
        self.assertTrue(all(n.startswith(prefix) for n in names))

    def test_sha256sums_cover_every_file(self):
        listed = {}
        for line in (self.out / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split("  ", 1)
            listed[name] = digest
        files = {str(p.relative_to(self.out)) for p in self.out.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
        self.assertEqual(set(listed), files)
        for name, digest in listed.items():
            self.assertEqual(hashlib.sha256((self.out / name).read_bytes()).hexdigest(), digest, name)

    def test_unknown_artifact_is_refused(self):
        result = release("--out", str(Path(self.tmp.name) / "other"), "rpm")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown argument 'rpm'", result.stderr)


if __name__ == "__main__":
    unittest.main()
