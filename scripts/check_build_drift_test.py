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

    def test_grpc_only_proto_libraries_hold_the_stubs_alone(self):
        query = QUERY_OUTPUT.replace("grpc = True", "grpc_only = True")
        self.assertEqual(bazel_targets(query)["//protos:livestream_proto"].sources(), {
            "(generated) zoom/livestream/v1/livestream_service.grpc.pb.cc"})

    def test_dependencies_and_link_lines(self):
        codemodel = {
            "paths": {"source": WORKSPACE, "build": WORKSPACE + "/build"},
            "configurations": [{"targets": [{"name": "t", "jsonFile": "t.json"}]}],
        }
        target = {
            "name": "validation_test", "type": "EXECUTABLE", "paths": {"source": "tests/unit"},
            "dependencies": [{"id": "livestream_core::@d197"}, {"id": "livestream_test_pch::@a1"}],
            "link": {"commandFragments": [
                {"fragment": "-O3", "role": "flags"},
                {"fragment": "server/liblivestream_core.a", "role": "libraries"}]},
        }
        read = drift.cmake_targets_from(codemodel, {"t.json": target}.__getitem__)
        self.assertEqual(read["validation_test"].deps, {"livestream_core"})
        self.assertEqual(read["validation_test"].links, {"server/liblivestream_core.a"})
        self.assertEqual(bazel_targets(QUERY_OUTPUT)["//server:livestream_core"].deps,
                         {"//server:http_interface", "@system_libs//:grpc++"})


def cmake_target(kind, deps=(), links=()):
    return drift.Target(kind, frozenset(), "tests/unit", frozenset(deps), frozenset(links))


def bazel_target(label, kind, deps=()):
    return label, drift.Target(kind, frozenset(), label, frozenset(deps))


# A pure library, the protos it builds on, the gRPC edge, and one test of each
# library: {name: Target} for CMake, {label: Target} for Bazel.
LAYERED_CMAKE = {
    "livestream_proto": cmake_target("library"),
    "livestream_core": cmake_target("library", ["livestream_proto"]),
    "livestream_grpc_edge": cmake_target("library", ["livestream_core", "livestream_proto"]),
    "validation_test": cmake_target(
        "executable", ["livestream_core", "livestream_proto"],
        ["server/liblivestream_core.a", "/usr/lib/x86_64-linux-gnu/libprotobuf.so"]),
    "grpc_status_test": cmake_target(
        "executable", ["livestream_grpc_edge", "livestream_core", "livestream_proto"],
        ["server/liblivestream_grpc_edge.a", "/usr/lib/x86_64-linux-gnu/libgrpc++.so.1.51"]),
}
LAYERED_BAZEL = dict([
    bazel_target("//protos:livestream_proto", "library", ["@system_libs//:protobuf"]),
    bazel_target("//server:http_interface", "library", ["@system_libs//:absl_time"]),
    bazel_target("//server:livestream_core", "library",
                 ["//server:http_interface", "//protos:livestream_proto"]),
    bazel_target("//server:livestream_grpc_edge", "library",
                 ["//server:livestream_core", "@system_libs//:grpc++"]),
    bazel_target("//tests/unit:validation_test", "executable",
                 ["//server:livestream_core", "@system_libs//:gmock_main"]),
    bazel_target("//tests/unit:grpc_status_test", "executable", ["//server:livestream_grpc_edge"]),
])


def changed(targets, key, target):
    return {**targets, key: target}


class LayeringTest(unittest.TestCase):
    """The libraries each target links, and the gRPC-free libraries."""

    def test_libraries_agree(self):
        self.assertEqual(drift.library_problems(LAYERED_CMAKE, LAYERED_BAZEL), [])

    def test_a_test_that_links_another_library_in_one_build(self):
        bazel = changed(LAYERED_BAZEL, *bazel_target(
            "//tests/unit:validation_test", "executable", ["//server:livestream_grpc_edge"]))
        self.assertEqual(drift.library_problems(LAYERED_CMAKE, bazel), [
            "validation_test (//tests/unit:validation_test) links other libraries: "
            "only in CMake: -; only in Bazel: livestream_grpc_edge"])

    def test_a_library_that_links_another_library_in_one_build(self):
        cmake = changed(LAYERED_CMAKE, "livestream_grpc_edge", cmake_target("library"))
        self.assertEqual(drift.library_problems(cmake, LAYERED_BAZEL), [
            "livestream_grpc_edge (//server:livestream_grpc_edge) links other libraries: "
            "only in CMake: -; only in Bazel: livestream_core, livestream_proto"])

    def grpc_problems(self, cmake, bazel):
        return drift.grpc_problems(cmake, bazel, grpc_free=["livestream_core"])

    def test_no_grpc_below_the_edge(self):
        self.assertEqual(self.grpc_problems(LAYERED_CMAKE, LAYERED_BAZEL), [])

    def test_grpc_reached_through_another_library_in_bazel(self):
        bazel = changed(LAYERED_BAZEL, *bazel_target(
            "//protos:livestream_proto", "library",
            ["@system_libs//:protobuf", "@system_libs//:grpc++"]))
        self.assertEqual(self.grpc_problems(LAYERED_CMAKE, bazel), [
            "livestream_core depends on gRPC in Bazel: //server:livestream_core -> "
            "//protos:livestream_proto -> @system_libs//:grpc++"])

    def test_grpc_on_the_link_line_of_a_test_that_links_only_the_library_in_cmake(self):
        cmake = changed(LAYERED_CMAKE, "validation_test", cmake_target(
            "executable", ["livestream_core", "livestream_proto"],
            ["server/liblivestream_core.a", "/usr/lib/x86_64-linux-gnu/libgpr.so.29"]))
        self.assertEqual(self.grpc_problems(cmake, LAYERED_BAZEL), [
            "livestream_core depends on gRPC in CMake: validation_test, which links nothing of "
            "ours beyond it, links /usr/lib/x86_64-linux-gnu/libgpr.so.29"])

    def test_a_library_no_executable_links_alone_cannot_be_checked_in_cmake(self):
        cmake = changed(LAYERED_CMAKE, "validation_test", cmake_target(
            "executable", ["livestream_grpc_edge", "livestream_core", "livestream_proto"]))
        self.assertEqual(self.grpc_problems(cmake, LAYERED_BAZEL), [
            "livestream_core: no CMake executable links only it (e.g. a unit test of it), so its "
            "link line cannot be checked"])

    def test_a_library_missing_from_a_build(self):
        cmake = {k: v for k, v in LAYERED_CMAKE.items() if k != "livestream_core"}
        self.assertEqual(self.grpc_problems(cmake, LAYERED_BAZEL),
                         ["livestream_core: not a target of both builds"])


if __name__ == "__main__":
    unittest.main()
