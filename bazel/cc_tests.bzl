"""cc_test_per_file: one cc_test per source file, as the CMake globs do."""

def cc_test_per_file(name, srcs, exclusive = [], libraries = None, **kwargs):
    """One cc_test per file in `srcs`, named after the file, plus a test_suite.

    tests/unit/foo_test.cc becomes //tests/unit:foo_test, the same name as the
    CMake executable. A new *_test.cc is picked up by both builds' globs.

    Args:
      name: the test_suite of all the generated tests.
      srcs: the test sources (usually glob(["*_test.cc"])).
      exclusive: the sources among `srcs` whose tests load the machine and
        assert on time; they run alone (tag "exclusive", CMake's RUN_SERIAL).
      libraries: {library label: [test names]}, the libraries each test links
        besides `deps`; when given, every test must be named at least once,
        and only tests of `srcs` may be.
      **kwargs: passed to every cc_test (deps, data, env, size, tags, ...).
    """
    names = [src.rsplit("/", 1)[-1].rsplit(".", 1)[0] for src in srcs]
    for library, listed in (libraries or {}).items():
        for test in listed:
            if test not in names:
                fail("%s is listed under %s but has no source" % (test, library))
    tests = []
    for src, test in zip(srcs, names):
        args = dict(kwargs)
        if libraries != None:
            extra = [library for library, listed in libraries.items() if test in listed]
            if not extra:
                fail("%s: list it under the library it tests (libraries)" % src)
            args["deps"] = args.get("deps", []) + extra
        if src in exclusive:
            args["tags"] = args.get("tags", []) + ["exclusive"]
        native.cc_test(name = test, srcs = [src], **args)
        tests.append(test)

    # (A test_suite with no tests would mean every test of the package.)
    if tests:
        native.test_suite(name = name, tests = tests)
