#!/usr/bin/env python3
"""Fails when CMake and Bazel list different sources for the same target.

Both builds describe every C++ library, binary and test (docs/building.md,
"Targets"). This reads CMake's own model of the build (its File API
codemodel, from a fresh configure) and Bazel's (`bazel query --output=build`,
which keeps select()), and compares them target by target:

- Targets pair up by name: CMake's target `foo` is the Bazel target `foo` in
  the package beside its CMakeLists.txt. CMake names are global, so a name
  used in two Bazel packages is drift too. The per-file tests that
  bazel/cc_tests.bzl generates are named after the file, as CMake's glob of
  *_test.cc names its executables, so they pair up the same way.
- A pair lists the same translation units (.cc). Generated protobuf code is
  compared by import path: CMake's protos/gen/google/rpc/status.pb.cc is
  what Bazel's cc_protoc_library generates from google/rpc/status.proto.
- Headers: CMake lists none (only Bazel needs them), so a header is checked
  against the target that compiles the .cc of the same name: it must be
  listed by that target, or by none. Where a CMake target does list headers,
  they must match Bazel's too.
- The comparison is of the default configuration of both: a select() counts
  with its //conditions:default branch, the CMake tree is configured with
  its defaults (as the cpp stage builds it).
- A pair is of the same kind: a library in both, or an executable (a
  cc_binary or cc_test) in both.
- Targets in one build only: header-only Bazel libraries (CMake needs no
  target for them), and the CMake targets in CMAKE_ONLY below.
- A pair links the same of our libraries (those in both builds), counted
  transitively: e.g. each unit test the library table of tests/unit gives it.

It also checks a rule of the layering (docs/architecture.md): the libraries
in GRPC_FREE depend on no gRPC library. In Bazel, no path of deps leads from
them to a gRPC library. CMake's model has no link line for a static library,
so there the witness is an executable that links nothing of ours beyond the
library and what it brings (its unit tests): its link line has no gRPC.

Usage (scripts/test-bazel.sh runs it from the repository root):
  scripts/check_build_drift.py [--cmake-build DIR] [--bazel-startup-option OPT]...
--cmake-build reuses a configured tree (the query file is written into it
and it is configured again); by default a temporary tree is configured and
removed. Tests: scripts/check_build_drift_test.py.
"""

import argparse
import ast
import collections
import dataclasses
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SOURCE_EXTENSIONS = (".cc", ".cpp", ".cxx", ".c")
HEADER_EXTENSIONS = (".h", ".hh", ".hpp", ".hxx", ".inc")

# CMake targets with no Bazel counterpart, and why.
CMAKE_ONLY = {
    "livestream_test_pch": "the tests' precompiled header (tests/CMakeLists.txt); Bazel has none",
    "zoom_livestream_client": "the installable C++ package's archive of other targets' objects "
                              "(client/cpp/package/CMakeLists.txt); Bazel builds no install tree",
}

# Libraries that must not depend on gRPC: the pure rules and the upstream
# side (docs/architecture.md, "Modules and what they may depend on").
GRPC_FREE = ("livestream_core", "livestream_idempotency", "livestream_logging",
             "livestream_metrics", "livestream_policies", "livestream_redis",
             "livestream_shared_limits", "livestream_shared_request_ids", "livestream_transport")
# gRPC's libraries: Bazel labels (@system_libs//:grpc++) and CMake link
# fragments (/usr/lib/.../libgrpc++.so.1.51, -lgpr).
BAZEL_GRPC = re.compile(r"^@[^/]*//:(grpc|gpr)")
CMAKE_GRPC = re.compile(r"^(-l|lib)(grpc|gpr)")

# Where protos/CMakeLists.txt writes generated code, below the build tree.
CMAKE_GENERATED_DIR = "protos/gen"
# How generated code is named on both sides: by its import path.
GENERATED = "(generated) "

# Bazel's outputs per .proto (bazel/proto.bzl), and per output group.
PROTO_SUFFIXES = (".pb.h", ".pb.cc")
GRPC_SUFFIXES = (".grpc.pb.h", ".grpc.pb.cc")
OUTPUT_GROUP_EXTENSIONS = {"srcs": SOURCE_EXTENSIONS, "hdrs": HEADER_EXTENSIONS}

# The cc targets of the workspace, and the rules their sources come from
# (cc_protoc_library: cc_library -> filegroup -> _protoc_cc_gen -> a
# filegroup of .proto files in an external repository).
BAZEL_QUERY = (
    'let cc = kind("cc_(library|binary|test) rule", //...) in '
    "let s1 = kind(rule, labels(srcs, $cc) + labels(hdrs, $cc)) in "
    "let s2 = kind(rule, labels(srcs, $s1)) in "
    "let s3 = kind(rule, labels(srcs, $s2)) in "
    "$cc + $s1 + $s2 + $s3"
)


class DriftCheckError(Exception):
    """The inputs cannot be read (not drift: a bug or a new kind of rule)."""


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str  # "library" or "executable"
    files: frozenset  # repository-relative paths, or GENERATED + import path
    where: str  # for messages: the CMakeLists.txt directory or the Bazel label
    # CMake: the names of the targets it depends on, transitively; Bazel: the
    # labels of its deps.
    deps: frozenset = frozenset()
    # CMake executables: the libraries on the link line.
    links: frozenset = frozenset()

    def sources(self):
        return {f for f in self.files if f.endswith(SOURCE_EXTENSIONS)}

    def headers(self):
        return {f for f in self.files if f.endswith(HEADER_EXTENSIONS)}


def is_cpp(path):
    return path.endswith(SOURCE_EXTENSIONS + HEADER_EXTENSIONS)


# --- CMake -------------------------------------------------------------------

CMAKE_KINDS = {
    "EXECUTABLE": "executable",
    "STATIC_LIBRARY": "library",
    "SHARED_LIBRARY": "library",
    "MODULE_LIBRARY": "library",
    "OBJECT_LIBRARY": "library",
}


def cmake_path(path, source_dir, build_dir):
    """A source of the codemodel as the comparison names it, or None for
    CMake's own files (precompiled headers under CMakeFiles/)."""
    absolute = os.path.normpath(os.path.join(source_dir, path))
    if is_below(absolute, build_dir):
        relative = os.path.relpath(absolute, build_dir)
        if is_below(relative, CMAKE_GENERATED_DIR):
            return GENERATED + os.path.relpath(relative, CMAKE_GENERATED_DIR)
        if "CMakeFiles" in relative.split(os.sep):
            return None
        return os.path.join(os.path.basename(build_dir), relative)
    if is_below(absolute, source_dir):
        return os.path.relpath(absolute, source_dir)
    return absolute


def is_below(path, directory):
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def cmake_targets_from(codemodel, load_target):
    """{name: Target} from a codemodel-v2 object; load_target(jsonFile) gives
    the target object it names."""
    source_dir = codemodel["paths"]["source"]
    build_dir = codemodel["paths"]["build"]
    configurations = codemodel["configurations"]
    if len(configurations) != 1:
        raise DriftCheckError("expected a single-configuration CMake tree, found %d configurations"
                              % len(configurations))
    targets = {}
    for entry in configurations[0]["targets"]:
        target = load_target(entry["jsonFile"])
        kind = CMAKE_KINDS.get(target["type"])
        if kind is None:  # custom targets, interface libraries: no sources
            continue
        files = set()
        for source in target.get("sources", []):
            path = cmake_path(source["path"], source_dir, build_dir)
            if path is not None and is_cpp(path):
                files.add(path)
        where = target.get("paths", {}).get("source", ".")
        deps = {d["id"].split("::", 1)[0] for d in target.get("dependencies", [])} - set(CMAKE_ONLY)
        links = {f["fragment"] for f in (target.get("link") or {}).get("commandFragments", [])
                 if f.get("role") == "libraries"}
        targets[target["name"]] = Target(kind, frozenset(files), where, frozenset(deps),
                                         frozenset(links))
    return targets


def cmake_targets(build_dir):
    """{name: Target} from the File API reply of a configured tree."""
    reply = os.path.join(build_dir, ".cmake", "api", "v1", "reply")
    indexes = sorted(glob.glob(os.path.join(reply, "index-*.json")))
    if not indexes:
        raise DriftCheckError("no CMake File API reply in %s" % reply)
    with open(indexes[-1], encoding="utf-8") as f:
        index = json.load(f)
    codemodel_file = find_codemodel(index)

    def load(name):
        with open(os.path.join(reply, name), encoding="utf-8") as f:
            return json.load(f)

    return cmake_targets_from(load(codemodel_file), load)


def find_codemodel(index):
    replies = index.get("reply", {})
    ours = replies.get("client-check-build-drift", {})
    for response in (ours.get("codemodel-v2"), replies.get("codemodel-v2")):
        if isinstance(response, dict) and "jsonFile" in response:
            return response["jsonFile"]
    raise DriftCheckError("the CMake File API reply has no codemodel")


def configure_cmake(source_dir, build_dir):
    """Asks for the codemodel and configures `build_dir`."""
    query = os.path.join(build_dir, ".cmake", "api", "v1", "query", "client-check-build-drift")
    os.makedirs(query, exist_ok=True)
    open(os.path.join(query, "codemodel-v2"), "w").close()
    command = ["cmake", "-S", source_dir, "-B", build_dir]
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        command.append("-DCMAKE_BUILD_TYPE=Release")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


# --- Bazel -------------------------------------------------------------------

BAZEL_KINDS = {"cc_library": "library", "cc_binary": "executable", "cc_test": "executable"}


@dataclasses.dataclass(frozen=True)
class Rule:
    kind: str
    attrs: dict


def parse_label(label):
    """(repository, package, name) of an absolute label."""
    repo, sep, rest = label.partition("//")
    if not sep:
        raise DriftCheckError("not an absolute label: %s" % label)
    package, _, name = rest.partition(":")
    return repo, package, name or package.rsplit("/", 1)[-1]


def package_of(location, workspace):
    """The label prefix of the package whose BUILD file is at `location`
    (`/path/BUILD.bazel:line:column`, as `bazel query --output=build` prints)."""
    build_file = location.rsplit(":", 2)[0]
    directory = os.path.dirname(build_file)
    if is_below(directory, workspace):
        relative = os.path.relpath(directory, workspace)
        return "//" + ("" if relative == "." else relative)
    parts = directory.split(os.sep)
    if "external" in parts:
        at = len(parts) - 1 - parts[::-1].index("external")
        if at + 1 < len(parts):
            return "@%s//%s" % (parts[at + 1], "/".join(parts[at + 2:]))
    raise DriftCheckError("cannot tell the package of %s" % build_file)


def evaluate(node):
    """An attribute value of `--output=build`, in the default configuration."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [evaluate(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k): evaluate(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return evaluate(node.left) + evaluate(node.right)
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "select":
        branches = evaluate(node.args[0])
        if "//conditions:default" not in branches:
            raise DriftCheckError("a select() without //conditions:default: %s" % ast.unparse(node))
        return branches["//conditions:default"]
    raise DriftCheckError("unexpected value in bazel query output: %s" % ast.unparse(node))


def parse_query_output(text, workspace):
    """{label: Rule} from `bazel query --output=build`."""
    lines = text.splitlines()
    rules = {}
    for statement in ast.parse(text).body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            raise DriftCheckError("unexpected statement in bazel query output, line %d"
                                  % statement.lineno)
        attrs = {k.arg: evaluate(k.value) for k in call.keywords}
        location = lines[call.lineno - 2].lstrip("# ").strip() if call.lineno >= 2 else ""
        label = "%s:%s" % (package_of(location, workspace), attrs["name"])
        rules[label] = Rule(call.func.id, attrs)
    return rules


def resolve(label, rules, output_group=None):
    """The files `label` stands for in a srcs or hdrs list."""
    rule = rules.get(label)
    if rule is None:  # a source file
        repo, package, name = parse_label(label)
        if repo:
            raise DriftCheckError("a C++ source from another repository: %s" % label)
        return {"/".join(p for p in (package, name) if p)}
    if rule.kind == "filegroup":
        group = rule.attrs.get("output_group") or output_group
        return set().union(*(resolve(s, rules, group) for s in rule.attrs.get("srcs", [])))
    if rule.kind == "_protoc_cc_gen":  # bazel/proto.bzl
        if rule.attrs.get("grpc_only"):
            suffixes = GRPC_SUFFIXES
        else:
            suffixes = PROTO_SUFFIXES + (GRPC_SUFFIXES if rule.attrs.get("grpc") else ())
        if output_group:
            suffixes = [s for s in suffixes if s.endswith(OUTPUT_GROUP_EXTENSIONS[output_group])]
        files = set()
        for src in rule.attrs.get("srcs", []):
            for proto in proto_import_paths(src, rules):
                files.update(GENERATED + proto[: -len(".proto")] + s for s in suffixes)
        return files
    raise DriftCheckError("a C++ target lists %s, a %s: teach scripts/check_build_drift.py "
                          "which files that stands for" % (label, rule.kind))


def proto_import_paths(label, rules):
    """Import paths of the .proto files `label` stands for: the path below the
    package (bazel/proto.bzl's _import_path), which is the label's name."""
    rule = rules.get(label)
    if rule is None:
        return [parse_label(label)[2]]
    if rule.kind != "filegroup":
        raise DriftCheckError("%s: expected .proto files or a filegroup of them" % label)
    return [p for s in rule.attrs.get("srcs", []) for p in proto_import_paths(s, rules)]


def bazel_targets(rules):
    """{label: Target} for the cc rules of the main repository."""
    targets = {}
    for label, rule in rules.items():
        kind = BAZEL_KINDS.get(rule.kind)
        if kind is None or label.startswith("@"):
            continue
        attrs = rule.attrs.get("srcs", []) + rule.attrs.get("hdrs", [])
        files = set().union(set(), *(resolve(a, rules) for a in attrs))
        targets[label] = Target(kind, frozenset(f for f in files if is_cpp(f)), label,
                                frozenset(rule.attrs.get("deps", [])))
    return targets


# --- The comparison ------------------------------------------------------------


def compare(cmake, bazel):
    """Messages, one per drifted target (empty when the builds agree).
    cmake: {name: Target}; bazel: {label: Target}."""
    problems = []
    by_name, ambiguous = {}, set()
    for label in sorted(bazel):
        name = parse_label(label)[2]
        if name in by_name:
            problems.append("%s and %s: one name in two Bazel packages; CMake target names are "
                            "global, so one of them cannot have a CMake twin"
                            % (by_name[name], label))
            ambiguous.add(name)
        by_name.setdefault(name, label)

    for name in sorted((set(cmake) | set(by_name)) - ambiguous):
        ours, theirs = cmake.get(name), bazel.get(by_name.get(name))
        if theirs is None:
            if name not in CMAKE_ONLY:
                problems.append("%s: a CMake target (%s/CMakeLists.txt) with no Bazel target of "
                                "that name; add one to the BUILD.bazel beside it, with %s"
                                % (name, ours.where, ", ".join(sorted(ours.files)) or "no files"))
            continue
        if ours is None:
            if theirs.sources():
                problems.append("%s: a Bazel target with no CMake target of that name; add %s "
                                "to the CMakeLists.txt beside it, with %s"
                                % (theirs.where, name, ", ".join(sorted(theirs.sources()))))
            continue
        if ours.kind != theirs.kind:
            problems.append("%s: kind %s in CMake, %s in Bazel (%s)"
                            % (name, ours.kind, theirs.kind, theirs.where))
        only_cmake = ours.sources() - theirs.sources()
        only_bazel = theirs.sources() - ours.sources()
        if ours.headers():
            only_cmake |= ours.headers() - theirs.headers()
            only_bazel |= theirs.headers() - ours.headers()
        if only_cmake or only_bazel:
            problems.append("%s (%s): only in CMake: %s; only in Bazel: %s"
                            % (name, theirs.where, ", ".join(sorted(only_cmake)) or "-",
                               ", ".join(sorted(only_bazel)) or "-"))
    problems.extend(misplaced_headers(bazel))
    return problems


def misplaced_headers(bazel):
    """A header listed by another target than the one compiling its .cc: CMake
    lists no headers, so this is the only place their owner is checked."""
    compiled_by = {}
    for label, target in bazel.items():
        for source in target.sources():
            compiled_by.setdefault(os.path.splitext(source)[0], set()).add(label)
    problems = []
    for label in sorted(bazel):
        for header in sorted(bazel[label].headers()):
            owners = compiled_by.get(os.path.splitext(header)[0], set())
            if owners and label not in owners:
                problems.append("%s lists %s, whose source is compiled by %s: list it there"
                                % (label, header, ", ".join(sorted(owners))))
    return problems


def bazel_names(bazel):
    """{name: label} of the main repository's targets, a name used in two
    packages left out (compare() reports it)."""
    labels = collections.defaultdict(list)
    for label in bazel:
        labels[parse_label(label)[2]].append(label)
    return {name: found[0] for name, found in labels.items() if len(found) == 1}


def bazel_closure(start, bazel):
    """The labels `start` depends on, transitively (not itself)."""
    reached, stack = set(), [start]
    while stack:
        label = stack.pop()
        for dep in bazel[label].deps if label in bazel else ():
            if dep not in reached:
                reached.add(dep)
                stack.append(dep)
    return reached - {start}


def bazel_path(start, bazel, is_goal):
    """The shortest chain of deps from `start` to a label is_goal() accepts,
    or None."""
    parents, queue = {start: None}, collections.deque([start])
    while queue:
        label = queue.popleft()
        if is_goal(label):
            path = []
            while label is not None:
                path.append(label)
                label = parents[label]
            return path[::-1]
        for dep in sorted(bazel[label].deps) if label in bazel else []:
            if dep not in parents:
                parents[dep] = label
                queue.append(dep)
    return None


def library_problems(cmake, bazel):
    """Messages, one per target pair that links different libraries of ours
    (the libraries in both builds, transitively)."""
    names = bazel_names(bazel)
    libraries = {n for n in set(cmake) & set(names)
                 if cmake[n].kind == "library" and bazel[names[n]].kind == "library"}
    problems = []
    for name in sorted(set(cmake) & set(names)):
        ours = cmake[name].deps & libraries
        theirs = {parse_label(label)[2] for label in bazel_closure(names[name], bazel)} & libraries
        if ours != theirs:
            problems.append("%s (%s) links other libraries: only in CMake: %s; only in Bazel: %s"
                            % (name, names[name], ", ".join(sorted(ours - theirs)) or "-",
                               ", ".join(sorted(theirs - ours)) or "-"))
    return problems


def grpc_problems(cmake, bazel, grpc_free=GRPC_FREE):
    """Messages, one per library of `grpc_free` that depends on gRPC in a
    build (or cannot be checked)."""
    names = bazel_names(bazel)
    problems = []
    for name in grpc_free:
        if name not in cmake or name not in names:
            problems.append("%s: not a target of both builds" % name)
            continue
        path = bazel_path(names[name], bazel, BAZEL_GRPC.match)
        if path:
            problems.append("%s depends on gRPC in Bazel: %s" % (name, " -> ".join(path)))
        closure = cmake[name].deps | {name}
        witnesses = sorted(e for e, t in cmake.items()
                           if t.kind == "executable" and name in t.deps and t.deps <= closure)
        if not witnesses:
            problems.append("%s: no CMake executable links only it (e.g. a unit test of it), so "
                            "its link line cannot be checked" % name)
        for witness in witnesses:
            grpc = sorted(f for f in cmake[witness].links if CMAKE_GRPC.match(os.path.basename(f)))
            if grpc:
                problems.append("%s depends on gRPC in CMake: %s, which links nothing of ours "
                                "beyond it, links %s" % (name, witness, ", ".join(grpc)))
                break
    return problems


# --- The command ---------------------------------------------------------------


def query_bazel(workspace, startup_options):
    command = (["bazel"] + startup_options +
               ["query", "--color=no", "--curses=no", "--output=build", BAZEL_QUERY])
    result = subprocess.run(command, cwd=workspace, check=True, stdout=subprocess.PIPE,
                            text=True)
    return result.stdout


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cmake-build", help="a CMake tree to reuse (default: a temporary one)")
    parser.add_argument("--bazel-startup-option", action="append", default=[],
                        help="passed to bazel before `query`, e.g. --output_user_root=DIR")
    args = parser.parse_args(argv)
    workspace = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    try:
        with tempfile.TemporaryDirectory(prefix="check-build-drift-") as temporary:
            build_dir = os.path.abspath(args.cmake_build or temporary)
            configure_cmake(workspace, build_dir)
            cmake = cmake_targets(build_dir)
        rules = parse_query_output(query_bazel(workspace, args.bazel_startup_option), workspace)
        bazel = bazel_targets(rules)
    except (DriftCheckError, subprocess.CalledProcessError) as e:
        print("check-build-drift: %s" % e, file=sys.stderr)
        return 2
    failed = False
    for problems, what in [
            (compare(cmake, bazel) + library_problems(cmake, bazel),
             "CMake and Bazel list different sources or libraries (docs/building.md, "
             "\"Adding a source file\")"),
            (grpc_problems(cmake, bazel),
             "a library that must not depend on gRPC does (docs/architecture.md)")]:
        if problems:
            failed = True
            print("check-build-drift: %s:" % what, file=sys.stderr)
            for problem in problems:
                print("  " + problem, file=sys.stderr)
    if failed:
        return 1
    print("check-build-drift: CMake and Bazel agree on the sources and libraries of %d targets; "
          "%s depend on no gRPC library"
          % (len(set(cmake) & {parse_label(label)[2] for label in bazel}), ", ".join(GRPC_FREE)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
