#!/usr/bin/env python3
"""Tests of check_build_drift.py on fixtures shaped like CMake's codemodel
and `bazel query --output=build`. scripts/test-bazel.sh runs them before the
check itself:
  /usr/bin/python3 scripts/check_build_drift_test.py
"""

import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_build_drift as drift  # noqa: E402

WORKSPACE = "/src"
OUTPUT_BASE = "/root/.cache/bazel/_bazel_root/0123"

# One of each: a library, a binary with a select(), a generated proto
# library, a per-file test from bazel/cc_tests.bzl, a header-only library.
QUERY_OUTPUT = textwrap.dedent("""\
    # {base}/external/googleapis_protos/BUILD.bazel:4:10
    filegroup(
      name = "google_rpc_protos",
      srcs = ["@googleapis_protos//:google/rpc/code.proto", "@googleapis_protos//:google/rpc/status.proto"],
    )
    # Rule google_rpc_protos instantiated at (most recent call last):
    #   {base}/external/googleapis_protos/BUILD.bazel:4:10 in <toplevel>

    # /src/protos/BUILD.bazel:19:18
    cc_library(
      name = "google_rpc_proto",
      generator_function = "cc_protoc_library",
      srcs = ["//protos:google_rpc_proto_srcs"],
      hdrs = ["//protos:google_rpc_proto_hdrs"],
      alwayslink = True,
    )

    # /src/protos/BUILD.bazel:19:18
    filegroup(
      name = "google_rpc_proto_srcs",
      srcs = ["//protos:google_rpc_proto_gen"],
      output_group = "srcs",
    )

    # /src/protos/BUILD.bazel:19:18
    filegroup(
      name = "google_rpc_proto_hdrs",
      srcs = ["//protos:google_rpc_proto_gen"],
      output_group = "hdrs",
    )

    # /src/protos/BUILD.bazel:19:18
    _protoc_cc_gen(
      name = "google_rpc_proto_gen",
      srcs = ["@googleapis_protos//:google_rpc_protos"],
      deps = [],
      grpc = False,
    )

    # /src/protos/BUILD.bazel:12:18
    cc_library(
      name = "livestream_proto",
      srcs = ["//protos:livestream_proto_srcs"],
      hdrs = ["//protos:livestream_proto_hdrs"],
    )

    # /src/protos/BUILD.bazel:12:18
    filegroup(
      name = "livestream_proto_srcs",
      srcs = ["//protos:livestream_proto_gen"],
      output_group = "srcs",
    )

    # /src/protos/BUILD.bazel:12:18
    filegroup(
      name = "livestream_proto_hdrs",
      srcs = ["//protos:livestream_proto_gen"],
      output_group = "hdrs",
    )

    # /src/protos/BUILD.bazel:12:18
    _protoc_cc_gen(
      name = "livestream_proto_gen",
      srcs = ["//protos:zoom/livestream/v1/livestream_service.proto"],
      grpc = True,
    )

    # /src/server/BUILD.bazel:9:11
    cc_library(
      name = "http_interface",
      hdrs = ["//server:zoom/http.h"],
    )

    # /src/server/BUILD.bazel:55:11
    cc_library(
      name = "livestream_core",
      srcs = ["//server:validation.cc", "//server:zoom/multipart.cc"],
      hdrs = ["//server:validation.h", "//server:zoom/multipart.h"],
      deps = ["//server:http_interface", "@system_libs//:grpc++"],
    )

    # /src/server/BUILD.bazel:279:10
    cc_binary(
      name = "livestream_server",
      deps = ["//server:livestream_core"] + select({{"//bazel:sanitize": [], "//conditions:default": ["@system_libs//:tcmalloc_minimal"]}}),
      srcs = ["//server:allocator.h", "//server:main.cc"] + select({{"//bazel:sanitize": ["//server:allocator_default.cc"], "//conditions:default": ["//server:allocator_tcmalloc.cc"]}}),
    )

    # /src/tests/unit/BUILD.bazel:17:17
    cc_test(
      name = "validation_test",
      generator_name = "unit",
      generator_function = "cc_test_per_file",
      local_defines = ["X=\\\\\\"tests/unit\\\\\\""],
      env = {{"ZOOM_EMULATOR_BIN": "$(rootpath :zoom_emulator)"}},
      srcs = ["//tests/unit:validation_test.cc"],
      size = "small",
    )
    # Rule validation_test instantiated at (most recent call last):
    #   /src/tests/unit/BUILD.bazel:17:17 in <toplevel>
    #   /src/bazel/cc_tests.bzl:22:23     in cc_test_per_file
    """).format(base=OUTPUT_BASE)

# The same build as CMake's codemodel: {name: (type, sources, directory)}.
CMAKE = {
    "google_rpc_proto": ("STATIC_LIBRARY", [
        "build/protos/gen/google/rpc/code.pb.cc",
        "build/protos/gen/google/rpc/status.pb.cc",
        "build/protos/gen/google/rpc/status.pb.cc.rule",
    ], "protos"),
    "livestream_proto": ("STATIC_LIBRARY", [
        "build/protos/gen/zoom/livestream/v1/livestream_service.pb.cc",
        "build/protos/gen/zoom/livestream/v1/livestream_service.grpc.pb.cc",
    ], "protos"),
    "livestream_core": ("STATIC_LIBRARY", ["server/validation.cc", "server/zoom/multipart.cc"],
                        "server"),
    "livestream_server": ("EXECUTABLE", ["server/main.cc", "server/allocator_tcmalloc.cc"],
                          "server"),
    "validation_test": ("EXECUTABLE", [
        "tests/unit/validation_test.cc",
        "build/tests/CMakeFiles/livestream_test_pch.dir/cmake_pch.hxx",
    ], "tests/unit"),
    "livestream_test_pch": ("OBJECT_LIBRARY", [
        "build/tests/CMakeFiles/livestream_test_pch.dir/cmake_pch.hxx.cxx",
        "build/tests/test_pch.cc",
    ], "tests"),
    "protos_generate": ("UTILITY", [], "protos"),
}


def cmake_targets(spec):
    """cmake_targets_from a codemodel made from `spec` (shaped like CMAKE)."""
    entries, objects = [], {}
    for name, (kind, sources, directory) in spec.items():
        objects[name + ".json"] = {
            "name": name, "type": kind, "paths": {"source": directory},
            "sources": [{"path": p} for p in sources],
        }
        entries.append({"name": name, "jsonFile": name + ".json"})
    codemodel = {
        "paths": {"source": WORKSPACE, "build": WORKSPACE + "/build"},
        "configurations": [{"name": "Release", "targets": entries}],
    }
    return drift.cmake_targets_from(codemodel, objects.__getitem__)


def bazel_targets(text):
    return drift.bazel_targets(drift.parse_query_output(text, WORKSPACE))


def with_cmake(name, kind=None, sources=None):
    """CMAKE with target `name` changed, added (in server/) or, given neither
    a kind nor sources, removed."""
    spec = dict(CMAKE)
    old_kind, old_sources, directory = spec.pop(name, (None, None, "server"))
    if kind or sources:
        spec[name] = (kind or old_kind, sources or old_sources, directory)
    return spec


class CompareTest(unittest.TestCase):
    """A table of drifts, each with the message that names it."""

    CASES = [
        # (what, CMake spec, Bazel query output, expected problems)
        ("in sync", CMAKE, QUERY_OUTPUT, []),
        ("a file only in CMake",
         with_cmake("livestream_core", sources=["server/validation.cc", "server/zoom/multipart.cc",
                                                "server/zoom/backoff.cc"]),
         QUERY_OUTPUT,
         ["livestream_core (//server:livestream_core): only in CMake: server/zoom/backoff.cc; "
          "only in Bazel: -"]),
        ("a file only in Bazel",
         CMAKE,
         QUERY_OUTPUT.replace('"//server:main.cc"', '"//server:main.cc", "//server:flags.cc"'),
         ["livestream_server (//server:livestream_server): only in CMake: -; "
          "only in Bazel: server/flags.cc"]),
        ("a file moved between targets",
         with_cmake("livestream_server", sources=["server/main.cc", "server/allocator_tcmalloc.cc",
                                                  "server/validation.cc"]),
         QUERY_OUTPUT,
         ["livestream_server (//server:livestream_server): only in CMake: server/validation.cc; "
          "only in Bazel: -"]),
        ("a generated file only in CMake",
         with_cmake("google_rpc_proto", sources=[
             "build/protos/gen/google/rpc/code.pb.cc", "build/protos/gen/google/rpc/status.pb.cc",
             "build/protos/gen/google/rpc/error_details.pb.cc"]),
         QUERY_OUTPUT,
         ["google_rpc_proto (//protos:google_rpc_proto): only in CMake: "
          "(generated) google/rpc/error_details.pb.cc; only in Bazel: -"]),
        ("gRPC code generated by one build only",
         CMAKE,
         QUERY_OUTPUT.replace("grpc = True", "grpc = False"),
         ["livestream_proto (//protos:livestream_proto): only in CMake: "
          "(generated) zoom/livestream/v1/livestream_service.grpc.pb.cc; only in Bazel: -"]),
        ("the select() branch other than the default",
         with_cmake("livestream_server", sources=["server/main.cc", "server/allocator_default.cc"]),
         QUERY_OUTPUT,
         ["livestream_server (//server:livestream_server): only in CMake: "
          "server/allocator_default.cc; only in Bazel: server/allocator_tcmalloc.cc"]),
        ("a CMake target with no Bazel twin",
         with_cmake("soak_rules", "STATIC_LIBRARY", ["tests/soak/soak_rules.cc"]),
         QUERY_OUTPUT,
         ["soak_rules: a CMake target (server/CMakeLists.txt) with no Bazel target of that name; "
          "add one to the BUILD.bazel beside it, with tests/soak/soak_rules.cc"]),
        ("a Bazel target with no CMake twin",
         with_cmake("validation_test"),
         QUERY_OUTPUT,
         ["//tests/unit:validation_test: a Bazel target with no CMake target of that name; add "
          "validation_test to the CMakeLists.txt beside it, with tests/unit/validation_test.cc"]),
        ("a per-file test renamed on one side (CMake names its glob's tests after the file too)",
         with_cmake("validation_test"),
         QUERY_OUTPUT.replace('name = "validation_test"', 'name = "validation_tests"'),
         ["//tests/unit:validation_tests: a Bazel target with no CMake target of that name; add "
          "validation_tests to the CMakeLists.txt beside it, with tests/unit/validation_test.cc"]),
        ("one name in two Bazel packages",
         CMAKE,
         QUERY_OUTPUT.replace("# /src/server/BUILD.bazel:9:11", "# /src/bench/BUILD.bazel:9:11")
         .replace('name = "http_interface"', 'name = "livestream_core"')
         .replace('"//server:zoom/http.h"', '"//bench:files.h"'),
         ["//bench:livestream_core and //server:livestream_core: one name in two Bazel packages; "
          "CMake target names are global, so one of them cannot have a CMake twin"]),
        ("an executable in one build, a library in the other",
         with_cmake("livestream_core", "EXECUTABLE"),
         QUERY_OUTPUT,
         ["livestream_core: kind executable in CMake, library in Bazel "
          "(//server:livestream_core)"]),
        ("headers compared where CMake lists them",
         with_cmake("livestream_core", sources=["server/validation.cc", "server/zoom/multipart.cc",
                                                "server/validation.h", "server/zoom/http.h"]),
         QUERY_OUTPUT,
         ["livestream_core (//server:livestream_core): only in CMake: server/zoom/http.h; "
          "only in Bazel: server/zoom/multipart.h"]),
        ("a header listed away from its source",
         CMAKE,
         QUERY_OUTPUT.replace('"//server:zoom/http.h"',
                              '"//server:zoom/http.h", "//server:validation.h"'),
         ["//server:http_interface lists server/validation.h, whose source is compiled by "
          "//server:livestream_core: list it there"]),
    ]

    def test_cases(self):
        for what, spec, query, expected in self.CASES:
            with self.subTest(what):
                self.assertEqual(drift.compare(cmake_targets(spec), bazel_targets(query)), expected)


class ReadTest(unittest.TestCase):
    def test_cmake_drops_its_own_files_and_names_generated_code_by_import_path(self):
        targets = cmake_targets(CMAKE)
        self.assertEqual(targets["validation_test"].files, {"tests/unit/validation_test.cc"})
        self.assertEqual(targets["google_rpc_proto"].files, {
            "(generated) google/rpc/code.pb.cc", "(generated) google/rpc/status.pb.cc"})
        self.assertEqual(targets["livestream_core"].where, "server")
        self.assertNotIn("protos_generate", targets)

    def test_bazel_expands_generated_code_and_takes_the_default_branch(self):
        targets = bazel_targets(QUERY_OUTPUT)
        self.assertEqual(targets["//protos:google_rpc_proto"].files, {
            "(generated) google/rpc/code.pb.cc", "(generated) google/rpc/code.pb.h",
            "(generated) google/rpc/status.pb.cc", "(generated) google/rpc/status.pb.h"})
        self.assertEqual(targets["//server:livestream_server"].files,
                         {"server/allocator.h", "server/main.cc", "server/allocator_tcmalloc.cc"})
        self.assertNotIn("@googleapis_protos//:google_rpc_protos", targets)

    def test_package_of(self):
        self.assertEqual(drift.package_of("/src/server/BUILD.bazel:9:11", WORKSPACE), "//server")
        self.assertEqual(drift.package_of("/src/BUILD.bazel:3:1", WORKSPACE), "//")
        self.assertEqual(
            drift.package_of(OUTPUT_BASE + "/external/grpc_protos/BUILD.bazel:4:10", WORKSPACE),
            "@grpc_protos//")

    def test_inputs_it_cannot_read_are_errors_not_agreement(self):
        no_default = QUERY_OUTPUT.replace('"//conditions:default"', '"//bazel:other"')
        unknown_rule = QUERY_OUTPUT.replace('_protoc_cc_gen(\n  name = "livestream_proto_gen"',
                                            'genrule(\n  name = "livestream_proto_gen"')
        for what, query in [("select without a default", no_default),
                            ("sources from an unknown rule", unknown_rule)]:
            with self.subTest(what), self.assertRaises(drift.DriftCheckError):
                bazel_targets(query)


if __name__ == "__main__":
    unittest.main()
