"""Build hooks: generate the gRPC stubs while the package is built.

Metadata lives in pyproject.toml. The stubs of protos/zoom/**/*.proto are
generated with grpcio-tools (a pinned build requirement) into the build tree,
so they always match the proto they are built from and are never committed.
google/rpc is not generated: the runtime dependency googleapis-common-protos
provides google.rpc.*_pb2, which the stubs and zoom_livestream.errors import,
and its copy of google/rpc/status.proto (hence a pinned build requirement too)
is what protoc reads for the service proto's import.

Inputs are looked up next to this file first (an sdist carries copies), then
in the repository (../../protos and ../service_config.json), or in
$ZOOM_LIVESTREAM_PROTO_ROOT for the protos.
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
CONFIG_NAME = "service_config.json"


def _proto_root() -> Path:
    candidates = []
    if os.environ.get("ZOOM_LIVESTREAM_PROTO_ROOT"):
        candidates.append(Path(os.environ["ZOOM_LIVESTREAM_PROTO_ROOT"]))
    candidates += [HERE / "protos", HERE.parent.parent / "protos"]
    for root in candidates:
        if (root / "zoom").is_dir():
            return root
    raise SystemExit(
        "zoom_livestream: cannot find protos/zoom/**/*.proto (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); build from a checkout of the repository or set ZOOM_LIVESTREAM_PROTO_ROOT"
    )


def _service_config() -> Path:
    for path in (HERE / CONFIG_NAME, HERE.parent / CONFIG_NAME):
        if path.is_file():
            return path
    raise SystemExit(f"zoom_livestream: cannot find {CONFIG_NAME} next to setup.py or in client/")


def _googleapis_proto_root() -> Path:
    """The include root holding googleapis-common-protos' google/rpc/*.proto.

    The import is resolved against the protos of the package whose status_pb2
    the stubs import at run time, not the copy in third_party/ (which is for
    buf and the Go generator and is not in an sdist).
    """
    from importlib import metadata

    status_proto = Path(metadata.distribution("googleapis-common-protos").locate_file("google/rpc/status.proto"))
    if not status_proto.is_file():
        raise SystemExit(f"zoom_livestream: googleapis-common-protos has no {status_proto}")
    return status_proto.parents[2]


def generate(out_dir: Path) -> None:
    """Writes the stubs and the service config under out_dir (a package root)."""
    # grpc_tools is importable only inside the build environment.
    from importlib import resources

    from grpc_tools import protoc

    root = _proto_root()
    protos = sorted(str(p.relative_to(root)) for p in (root / "zoom").rglob("*.proto"))
    well_known = resources.files("grpc_tools") / "_proto"
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{root}",
        f"-I{well_known}",
        f"-I{_googleapis_proto_root()}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit(f"zoom_livestream: protoc failed: {' '.join(args)}")
    if (out_dir / "google").exists():
        raise SystemExit("zoom_livestream: google/* must come from googleapis-common-protos, not be generated")
    shutil.copyfile(_service_config(), out_dir / "zoom_livestream" / CONFIG_NAME)


class BuildPyWithStubs(build_py):
    def run(self):
        super().run()
        # An editable install imports from src/, so the stubs must land there
        # (client/python/.gitignore keeps them out of git).
        generate(HERE / "src" if self.editable_mode else Path(self.build_lib))


class SdistWithInputs(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        shutil.copytree(_proto_root() / "zoom", Path(base_dir) / "protos" / "zoom")
        shutil.copyfile(_service_config(), Path(base_dir) / CONFIG_NAME)


setup(cmdclass={"build_py": BuildPyWithStubs, "sdist": SdistWithInputs})
