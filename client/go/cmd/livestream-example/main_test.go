package main

import (
	"bytes"
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
