package security_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/zoom-livestream-gateway/gateway/client/go/internal/teststack"
	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	"github.com/zoom-livestream-gateway/gateway/client/go/security"
	"github.com/zoom-livestream-gateway/gateway/client/go/serviceconfig"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

func token(t *testing.T, s teststack.Secure, name string) string {
	t.Helper()
	tok, err := security.ReadBearerTokenFile(s.File(name + ".token"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// start calls UpdateStatus(start) on target with opts.
func start(t *testing.T, target string, opts security.Options) (*livestreamv1.UpdateStatusResponse, error) {
	t.Helper()
	dialOpts, err := security.DialOptions(opts)
	if err != nil {
		t.Fatalf("DialOptions: %v", err)
	}
	conn, err := grpc.NewClient(target, append(serviceconfig.DialOptions(), dialOpts...)...)
	if err != nil {
		t.Fatalf("grpc.NewClient(%s): %v", target, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return livestreamv1.NewLiveStreamServiceClient(conn).UpdateStatus(ctx, &livestreamv1.UpdateStatusRequest{
		Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: teststack.KnownWebinar},
		Action: livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START,
	})
}

func TestAgainstSecureServers(t *testing.T) {
	s := teststack.SecureStack(t)
	ca := s.File("ca.crt")
	cases := []struct {
		name       string
		target     string
		opts       security.Options
		wantCode   codes.Code
		wantReason string
	}{
		{"tls, allowed token", s.TLSTarget, security.Options{CAFile: ca, BearerToken: token(t, s, "allowed")}, codes.OK, ""},
		{"tls, no token", s.TLSTarget, security.Options{CAFile: ca}, codes.Unauthenticated, "UNAUTHENTICATED"},
		{"tls, denied token", s.TLSTarget, security.Options{CAFile: ca, BearerToken: token(t, s, "denied")},
			codes.PermissionDenied, "PERMISSION_DENIED"},
		{"tls, untrusted CA", s.TLSTarget, security.Options{CAFile: s.File("other-ca.crt"), BearerToken: token(t, s, "allowed")},
			codes.Unavailable, ""},
		{"mtls, client certificate", s.MTLSTarget,
			security.Options{CAFile: ca, CertFile: s.File("client.crt"), KeyFile: s.File("client.key")}, codes.OK, ""},
		{"mtls, the token wins over the certificate", s.MTLSTarget,
			security.Options{CAFile: ca, CertFile: s.File("client.crt"), KeyFile: s.File("client.key"),
				BearerToken: token(t, s, "denied")}, codes.PermissionDenied, "PERMISSION_DENIED"},
		{"mtls, no client certificate", s.MTLSTarget, security.Options{CAFile: ca}, codes.Unavailable, ""},
		{"plaintext, token explicitly allowed", s.PlaintextTarget,
			security.Options{BearerToken: token(t, s, "allowed"), AllowInsecureBearerToken: true}, codes.OK, ""},
		{"plaintext, no token", s.PlaintextTarget, security.Options{}, codes.Unauthenticated, "UNAUTHENTICATED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := start(t, tc.target, tc.opts)
			if got := status.Code(err); got != tc.wantCode {
				t.Fatalf("code = %v (%v); want %v", got, err, tc.wantCode)
			}
			if err == nil {
				if resp.GetTrackingId() == "" {
					t.Fatal("empty tracking id")
				}
				return
			}
			if tc.opts.BearerToken != "" && strings.Contains(err.Error(), tc.opts.BearerToken) {
				t.Fatal("the error shows the token")
			}
			if tc.wantReason != "" {
				if e, _ := richerr.FromError(err); e == nil || e.Reason() != tc.wantReason {
					t.Fatalf("reason of %v; want %s", err, tc.wantReason)
				}
			}
		})
	}
}

func TestBearerTokenOnPlaintextIsRefused(t *testing.T) {
	if _, err := security.DialOptions(security.Options{BearerToken: "secret-token"}); err == nil ||
		!strings.Contains(err.Error(), "needs TLS") || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("DialOptions = %v; want a refusal without the token", err)
	}
}

// grpc-go itself refuses call credentials that require transport security on
// a plaintext channel, so BearerToken(token, true) cannot leak by mistake.
func TestRequireTLSCredentialsFailOnPlaintext(t *testing.T) {
	conn, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(security.BearerToken("secret-token", true)))
	if err == nil {
		conn.Close()
		t.Fatal("grpc.NewClient accepted TLS-only call credentials on a plaintext channel")
	}
	if !strings.Contains(err.Error(), "transport level security") || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v; want grpc-go's refusal, without the token", err)
	}
}

func TestCredentialsNeverPrintTheToken(t *testing.T) {
	c := security.BearerToken("secret-token", true)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, c); strings.Contains(out, "secret-token") {
			t.Fatalf("%s shows the token: %s", format, out)
		}
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	empty := filepath.Join(dir, "empty.token")
	for path, content := range map[string]string{notPEM: "hello", empty: " \n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		opts security.Options
		want string
	}{
		{"missing CA file", security.Options{CAFile: filepath.Join(dir, "nope.crt")}, "nope.crt"},
		{"CA file without PEM", security.Options{CAFile: notPEM}, "no PEM certificate"},
		{"certificate without key", security.Options{CertFile: notPEM}, "go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := security.DialOptions(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("DialOptions = %v; want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := security.ReadBearerTokenFile(empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("ReadBearerTokenFile(empty) = %v", err)
	}
}

func TestMain(m *testing.M) { teststack.Main(m) }
