// Package teststack starts a zoom_emulator plus a livestream_server pointed at
// it, on loopback ports chosen by the kernel, for the module's end-to-end
// tests, through the repository's launcher scripts/stack.py. Binaries come
// from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN, or the default CMake build
// paths under the repository root.
//
// One stack serves every test of a test binary: call Addr(t) in tests and
// Main(m) from TestMain, which stops the stack when the tests are done.
package teststack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// KnownWebinar and KnownMeeting exist in the emulator, configured, and accept
// start; UnknownWebinar makes the emulator answer Zoom HTTP 400 with code 3001.
const (
	KnownWebinar   = "99289110036"
	KnownMeeting   = "85746065"
	UnknownWebinar = "12345"
)

// stack is a running scripts/stack.py: it stops the processes when its stdin
// closes, which also happens when the test binary dies.
type stack struct {
	serverAddr string
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	stderr     *bytes.Buffer
}

var (
	sharedOnce sync.Once
	shared     *stack
	sharedErr  error
	sharedSkip string
)

// repoRoot walks up from the test's directory to the repository root.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "protos", "zoom", "livestream", "v1")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (with protos/zoom/livestream/v1) not found above the test directory")
		}
		dir = parent
	}
}

// skipReason is set when env is unset and its default binary is absent, so
// `go test ./...` on a checkout without a C++ build skips these tests instead
// of failing; scripts/test-clients.sh always sets the env variables, which
// turns a missing binary into a failure (reported by the launcher).
func skipReason(root, env, def string) string {
	if os.Getenv(env) != "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(root, def)); err != nil {
		return fmt.Sprintf("%s not built (%s unset): build it or set %s", def, env, env)
	}
	return ""
}

// Addr returns the server's host:port, starting the shared stack on first
// use. It skips t when the binaries are not built and not configured, and
// fails t when they do not start.
func Addr(t testing.TB) string {
	t.Helper()
	sharedOnce.Do(func() {
		shared, sharedSkip, sharedErr = startStack()
	})
	if sharedSkip != "" {
		t.Skip(sharedSkip)
	}
	if sharedErr != nil {
		t.Fatalf("starting emulator and server: %v", sharedErr)
	}
	return shared.serverAddr
}

func startStack() (*stack, string, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, "", err
	}
	for _, b := range [][2]string{
		{"LIVESTREAM_SERVER_BIN", "build/server/livestream_server"},
		{"ZOOM_EMULATOR_BIN", "build/tests/zoom_emulator/zoom_emulator"},
	} {
		if skip := skipReason(root, b[0], b[1]); skip != "" {
			return nil, skip, nil
		}
	}
	s := &stack{cmd: exec.Command(filepath.Join(root, "scripts", "stack.py")), stderr: &bytes.Buffer{}}
	s.cmd.Stderr = s.stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, "", err
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start scripts/stack.py: %w", err)
	}
	// The launcher bounds the start-up itself and exits if it fails.
	line, readErr := bufio.NewReader(stdout).ReadBytes('\n')
	var ports struct {
		Gateway string `json:"gateway"`
	}
	if readErr != nil || json.Unmarshal(line, &ports) != nil || ports.Gateway == "" {
		s.stop()
		return nil, "", fmt.Errorf("scripts/stack.py printed %q (%v): %s", line, s.cmd.ProcessState, s.stderr)
	}
	s.serverAddr = ports.Gateway
	return s, "", nil
}

// stop closes the launcher's stdin and waits while it stops the processes
// (bounded: it kills what does not stop in time).
func (s *stack) stop() {
	_ = s.stdin.Close()
	_ = s.cmd.Wait()
}

// Main runs the tests, then stops the shared stack; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// Secure describes the TLS, mTLS and plaintext servers with caller
// authorization that scripts/test-clients.sh starts (see start_secure_stack
// there): the policy allows the principals "allowed-app" (the token in
// allowed.token) and "caller" (the CN of client.crt); "denied-app" (the token
// in denied.token) is known but not allowed.
type Secure struct {
	TLSTarget, MTLSTarget, PlaintextTarget string
	Dir                                    string
}

// File returns the path of a file of the stack (ca.crt, other-ca.crt,
// client.crt, client.key, allowed.token, denied.token).
func (s Secure) File(name string) string { return filepath.Join(s.Dir, name) }

// SecureStack returns the secure stack, skipping t when
// LIVESTREAM_TLS_TARGET, LIVESTREAM_MTLS_TARGET,
// LIVESTREAM_AUTHZ_PLAINTEXT_TARGET or LIVESTREAM_TLS_DIR is unset.
func SecureStack(t testing.TB) Secure {
	t.Helper()
	s := Secure{
		TLSTarget:       os.Getenv("LIVESTREAM_TLS_TARGET"),
		MTLSTarget:      os.Getenv("LIVESTREAM_MTLS_TARGET"),
		PlaintextTarget: os.Getenv("LIVESTREAM_AUTHZ_PLAINTEXT_TARGET"),
		Dir:             os.Getenv("LIVESTREAM_TLS_DIR"),
	}
	if s.TLSTarget == "" || s.MTLSTarget == "" || s.PlaintextTarget == "" || s.Dir == "" {
		t.Skip("no secure stack: run through scripts/test-clients.sh")
	}
	return s
}
