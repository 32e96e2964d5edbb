package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/zoom-livestream-gateway/gateway/client/go/internal/teststack"
)

func TestMain(m *testing.M) { teststack.Main(m) }

func TestRejectsBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"no target id", []string{"--action=start"}},
		{"both ids", []string{"--webinar_id=1", "--meeting_id=2"}},
		{"unknown action", []string{"--webinar_id=1", "--action=pause"}},
		{"unknown flag", []string{"--webinar_id=1", "--nope"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != 2 {
				t.Fatalf("run(%q) = %d; want 2 (stderr %q)", tc.args, code, stderr.String())
			}
		})
	}
}

func TestAgainstServer(t *testing.T) {
	addr := teststack.Addr(t)
	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{
			name:       "start prints the tracking id",
			args:       []string{"--target=" + addr, "--webinar_id=" + teststack.KnownWebinar, "--action=start"},
			wantCode:   0,
			wantStdout: "ok tracking_id=",
		},
		{
			name:       "unknown webinar prints the decoded ErrorInfo",
			args:       []string{"--target=" + addr, "--webinar_id=" + teststack.UnknownWebinar, "--action=start"},
			wantCode:   1,
			wantStderr: []string{"code=NotFound", "reason=ZOOM_WEBINAR_NOT_FOUND", `zoomCode="3001"`},
		},
		{
			name:       "validation error prints the BadRequest field",
			args:       []string{"--target=" + addr, "--meeting_id=abc", "--action=start"},
			wantCode:   1,
			wantStderr: []string{"code=InvalidArgument", "bad field meeting_id:"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d; want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.wantStdout) || (tc.wantStdout != "" && strings.Contains(stdout.String(), `tracking_id=""`)) {
				t.Errorf("stdout %q; want it to contain %q with a non-empty id", stdout.String(), tc.wantStdout)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q; want it to contain %q", stderr.String(), want)
				}
			}
		})
	}
}

func TestTLSAndBearerTokenFlags(t *testing.T) {
	s := teststack.SecureStack(t)
	base := []string{"--target=" + s.TLSTarget, "--webinar_id=" + teststack.KnownWebinar, "--action=start",
		"--tls_ca_file=" + s.File("ca.crt")}
	cases := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"allowed token", append(base, "--bearer_token_file="+s.File("allowed.token")), 0, "ok tracking_id="},
		{"denied token", append(base, "--bearer_token_file="+s.File("denied.token")), 1, "reason=PERMISSION_DENIED"},
		{"no token", base, 1, "reason=UNAUTHENTICATED"},
		{"token without TLS", []string{"--target=" + s.PlaintextTarget, "--webinar_id=1",
			"--bearer_token_file=" + s.File("allowed.token")}, 2, "needs TLS"},
		{"mTLS", []string{"--target=" + s.MTLSTarget, "--webinar_id=" + teststack.KnownWebinar,
			"--tls_ca_file=" + s.File("ca.crt"), "--tls_cert_file=" + s.File("client.crt"),
			"--tls_key_file=" + s.File("client.key")}, 0, "ok tracking_id="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != tc.wantCode || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out, tc.wantCode, tc.want)
			}
			for _, name := range []string{"allowed", "denied"} {
				if tok, err := os.ReadFile(s.File(name + ".token")); err == nil && strings.Contains(out, strings.TrimSpace(string(tok))) {
					t.Fatal("the output shows a token")
				}
			}
		})
	}
}
