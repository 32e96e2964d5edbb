package main

import (
	"bytes"
	"os"
	"path/filepath"
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
		{"unknown command", []string{"pause", "--webinar_id=1"}},
		{"get without an id", []string{"get"}},
		{"configure with both ids", []string{"configure", "--webinar_id=1", "--meeting_id=2"}},
		{"configure with an unknown resolution", []string{"configure", "--webinar_id=1", "--resolution=4k"}},
		{"configure with a missing key file", []string{"configure", "--webinar_id=1", "--stream_key_file=/nonexistent"}},
		{"batch without items", []string{"batch", "--action=start"}},
		{"batch item without a kind", []string{"batch", "99289110036"}},
		{"batch item of an unknown kind", []string{"batch", "user:1"}},
		{"batch with an unknown action", []string{"batch", "--action=pause", "webinar:1"}},
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
	const (
		seedURL = "rtmp://live.emulator.example/live"
		seedKey = "emulator-stream-key-"
		// Configured and not started: changing it leaves the other cases'
		// fixtures as seeded.
		configured = "99289110038"
	)
	keyFile := filepath.Join(t.TempDir(), "stream.key")
	if err := os.WriteFile(keyFile, []byte("example-key-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "start prints the tracking id",
			args:       []string{"--target=" + addr, "--webinar_id=" + teststack.KnownWebinar, "--action=start"},
			wantCode:   0,
			wantStdout: []string{"ok tracking_id="},
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
		{
			name:     "get prints the configuration without the key",
			args:     []string{"get", "--target=" + addr, "--webinar_id=" + teststack.KnownWebinar},
			wantCode: 0,
			wantStdout: []string{`ok stream_url="` + seedURL + `"`, "stream_key=(set, redacted)",
				`page_url="https://emulator.example/live/` + teststack.KnownWebinar + `"`,
				"resolution=LIVE_STREAM_RESOLUTION_720P", "tracking_id="},
		},
		{
			name: "configure sets every field",
			args: []string{"configure", "--target=" + addr, "--webinar_id=" + configured,
				"--stream_url=rtmps://ingest.example.com/app", "--stream_key_file=" + keyFile,
				"--page_url=https://watch.example.com/a", "--resolution=1080p"},
			wantCode: 0,
			wantStdout: []string{`ok stream_url="rtmps://ingest.example.com/app"`, "stream_key=(set, redacted)",
				`page_url="https://watch.example.com/a"`, "resolution=LIVE_STREAM_RESOLUTION_1080P"},
		},
		{
			name: "configure with an update_mask changes only the page URL",
			args: []string{"configure", "--target=" + addr, "--webinar_id=" + configured,
				"--page_url=https://watch.example.com/b", "--update_mask=page_url"},
			wantCode: 0,
			wantStdout: []string{`ok stream_url="rtmps://ingest.example.com/app"`,
				`page_url="https://watch.example.com/b"`, "resolution=LIVE_STREAM_RESOLUTION_1080P"},
		},
		{
			name:     "get reads what configure set",
			args:     []string{"get", "--target=" + addr, "--webinar_id=" + configured},
			wantCode: 0,
			wantStdout: []string{`ok stream_url="rtmps://ingest.example.com/app"`,
				`page_url="https://watch.example.com/b"`, "resolution=LIVE_STREAM_RESOLUTION_1080P"},
		},
		{
			name: "configure validation error prints the BadRequest field",
			args: []string{"configure", "--target=" + addr, "--webinar_id=" + configured,
				"--stream_url=http://ingest.example.com/app"},
			wantCode:   1,
			wantStderr: []string{"code=InvalidArgument", "bad field live_stream.stream_url:"},
		},
		{
			name: "batch prints each result in order, the failed item's ErrorInfo decoded",
			args: []string{"batch", "--target=" + addr, "--action=start", "webinar:" + teststack.KnownWebinar,
				"webinar:" + teststack.UnknownWebinar, "meeting:" + teststack.KnownMeeting},
			wantCode: 1,
			wantStdout: []string{
				"[0] webinar " + teststack.KnownWebinar + `: ok tracking_id="v=`,
				"[1] webinar " + teststack.UnknownWebinar + ": error: code=NotFound",
				"  reason=ZOOM_WEBINAR_NOT_FOUND domain=zoom-livestream-gateway zoomCode=\"3001\"",
				"[2] meeting " + teststack.KnownMeeting + `: ok tracking_id="v=`,
			},
		},
		{
			name: "batch of successes exits 0",
			args: []string{"batch", "--target=" + addr, "webinar:" + teststack.KnownWebinar,
				"meeting:" + teststack.KnownMeeting},
			wantCode:   0,
			wantStdout: []string{"[0] webinar " + teststack.KnownWebinar + ": ok", "[1] meeting " + teststack.KnownMeeting + ": ok"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d; want %d (stdout %q, stderr %q)", code, tc.wantCode, stdout.String(), stderr.String())
			}
			if tc.wantCode == 0 && strings.Contains(stdout.String(), `tracking_id=""`) {
				t.Errorf("stdout %q has an empty tracking id", stdout.String())
			}
			if strings.Contains(stdout.String()+stderr.String(), seedKey) ||
				strings.Contains(stdout.String()+stderr.String(), "example-key-1") {
				t.Errorf("the output shows a stream key: %q %q", stdout.String(), stderr.String())
			}
			if !containsInOrder(stdout.String(), tc.wantStdout) {
				t.Errorf("stdout %q; want it to contain, in order, %q", stdout.String(), tc.wantStdout)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q; want it to contain %q", stderr.String(), want)
				}
			}
		})
	}
}

// containsInOrder reports whether each of wants occurs in s after the one
// before it.
func containsInOrder(s string, wants []string) bool {
	for _, w := range wants {
		i := strings.Index(s, w)
		if i < 0 {
			return false
		}
		s = s[i+len(w):]
	}
	return true
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
