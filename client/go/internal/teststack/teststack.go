// Package teststack starts a zoom_emulator plus a livestream_server pointed at
// it, on loopback ports chosen by the kernel, for the module's end-to-end
// tests. Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN, or the
// default CMake build paths under the repository root.
//
// One stack serves every test of a test binary: call Addr(t) in tests and
// Main(m) from TestMain, which stops the stack when the tests are done.
package teststack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// KnownWebinar exists in the emulator and accepts start; UnknownWebinar makes
// the emulator answer Zoom HTTP 400 with code 3001.
const (
	KnownWebinar   = "99289110036"
	UnknownWebinar = "12345"
)

// stack is a zoom_emulator plus a livestream_server pointed at it, both on
// loopback ports chosen by the kernel.
type stack struct {
	serverAddr string
	procs      []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// syncBuffer collects a child's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const startupTimeout = 30 * time.Second

var (
	sharedOnce sync.Once
	shared     *stack
	sharedErr  error
	sharedSkip string
	sharedDir  string
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

// binary resolves a binary from env (which must then exist) or from its
// default path under the repository root. skip is set when the default is
// absent, so `go test ./...` on a checkout without a C++ build skips these
// tests instead of failing; scripts/test-clients.sh always sets the env
// variables, which turns a missing binary into a failure.
func binary(env, def string) (path, skip string, err error) {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", "", fmt.Errorf("%s=%s: %w", env, p, err)
		}
		return p, "", nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	p := filepath.Join(root, def)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Sprintf("%s not built (%s unset): build it or set %s", def, env, env), nil
	}
	return p, "", nil
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
	server, skip, err := binary("LIVESTREAM_SERVER_BIN", "build/server/livestream_server")
	if err != nil || skip != "" {
		return nil, skip, err
	}
	emulator, skip, err := binary("ZOOM_EMULATOR_BIN", "build/tests/zoom_emulator/zoom_emulator")
	if err != nil || skip != "" {
		return nil, skip, err
	}
	dir, err := os.MkdirTemp("", "livestream-go-client-")
	if err != nil {
		return nil, "", err
	}
	sharedDir = dir

	s := &stack{}
	emuPortFile := filepath.Join(dir, "emulator.port")
	emu, err := s.start("zoom_emulator", emulator, nil,
		"--listen=127.0.0.1:0", "--port_file="+emuPortFile, "--quiet")
	if err != nil {
		return nil, "", err
	}
	emuPort, err := waitForPort(emu, emuPortFile)
	if err != nil {
		s.stop()
		return nil, "", err
	}

	srvPortFile := filepath.Join(dir, "server.port")
	srv, err := s.start("livestream_server", server, []string{"ZOOM_ACCESS_TOKEN=emulator-token"},
		"--listen=127.0.0.1:0", "--port_file="+srvPortFile,
		fmt.Sprintf("--zoom_api_base_url=http://127.0.0.1:%d/v2", emuPort))
	if err != nil {
		s.stop()
		return nil, "", err
	}
	srvPort, err := waitForPort(srv, srvPortFile)
	if err != nil {
		s.stop()
		return nil, "", err
	}
	s.serverAddr = fmt.Sprintf("127.0.0.1:%d", srvPort)
	return s, "", nil
}

func (s *stack) start(name, path string, env []string, args ...string) (*proc, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	return p, nil
}

// waitForPort polls the port file (bounded) until the process has written a
// complete decimal port, failing early if the process exits.
func waitForPort(p *proc, file string) (int, error) {
	deadline := time.Now().Add(startupTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(file); err == nil {
			text := strings.TrimSpace(string(b))
			if port, err := strconv.Atoi(text); err == nil && port > 0 && port < 65536 {
				return port, nil
			}
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s exited before writing %s (%v); output:\n%s", p.name, file, p.err, p.out)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s wrote no port to %s within %s; output:\n%s", p.name, file, startupTimeout, p.out)
		}
	}
}

// stop ends the processes, server first, and waits for them.
func (s *stack) stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	s.procs = nil
}

// Main runs the tests, then stops the shared stack; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
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
