"""The product version, for compile definitions (CMake: PROJECT_VERSION).

Kept equal to project(VERSION) in CMakeLists.txt and kVersion in
server/version.h by //bazel:version_test.
"""

LIVESTREAM_VERSION = "0.1.0"
