// Package integration holds the end-to-end tests of the Go client: they start
// a real livestream_server backed by the zoom_emulator (started by
// scripts/stack.py through internal/teststack, found through
// LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN, or the default CMake build
// paths) and check calls, rich errors and validation through richerr.
package integration
