"""The product version, for compile definitions (CMake: PROJECT_VERSION).

Kept equal to the repository's VERSION file (which CMakeLists.txt reads into
project(VERSION)) and to kVersion in server/version.h by //bazel:version_test.
"""

LIVESTREAM_VERSION = "0.1.0"
