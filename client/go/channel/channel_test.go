package channel_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/zoom-livestream-gateway/gateway/client/go/channel"
	"github.com/zoom-livestream-gateway/gateway/client/go/security"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

// flakyServer answers UNAVAILABLE to the first call and OK to the others.
type flakyServer struct {
	livestreamv1.UnimplementedLiveStreamServiceServer
	calls atomic.Int32
}

func (s *flakyServer) UpdateStatus(context.Context, *livestreamv1.UpdateStatusRequest) (*livestreamv1.UpdateStatusResponse, error) {
	if s.calls.Add(1) == 1 {
		return nil, status.Error(codes.Unavailable, "shed")
	}
	return &livestreamv1.UpdateStatusResponse{TrackingId: "second attempt"}, nil
}

// serveFlaky starts a flakyServer on a loopback port and returns its address.
func serveFlaky(t *testing.T) (*flakyServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fake := &flakyServer{}
	livestreamv1.RegisterLiveStreamServiceServer(srv, fake)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return fake, lis.Addr().String()
}

func TestRetryServiceConfig(t *testing.T) {
	cases := []struct {
		name      string
		opts      channel.Options
		wantCode  codes.Code
		wantCalls int32
	}{
		{"by default UNAVAILABLE is retried", channel.Options{}, codes.OK, 2},
		{"NoServiceConfig turns retries off", channel.Options{NoServiceConfig: true}, codes.Unavailable, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake, target := serveFlaky(t)
			conn, err := channel.New(target, tc.opts)
			if err != nil {
				t.Fatalf("channel.New: %v", err)
			}
			defer conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = livestreamv1.NewLiveStreamServiceClient(conn).UpdateStatus(ctx, &livestreamv1.UpdateStatusRequest{
				Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: "99289110036"},
			})
			if got := status.Code(err); got != tc.wantCode {
				t.Errorf("UpdateStatus: %v; want code %v", err, tc.wantCode)
			}
			if got := fake.calls.Load(); got != tc.wantCalls {
				t.Errorf("the server saw %d calls; want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestSecurityOptionsAreChecked(t *testing.T) {
	// A token over plaintext is refused before any connection is made.
	if conn, err := channel.New("127.0.0.1:1", channel.Options{Security: security.Options{BearerToken: "t"}}); err == nil {
		conn.Close()
		t.Fatal("channel.New sent a bearer token over plaintext without AllowInsecureBearerToken")
	}
}
