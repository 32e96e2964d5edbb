package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/zoom-livestream-gateway/gateway/client/go/internal/teststack"
	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	"github.com/zoom-livestream-gateway/gateway/client/go/serviceconfig"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

const (
	knownWebinar   = teststack.KnownWebinar
	unknownWebinar = teststack.UnknownWebinar
	callTimeout    = 10 * time.Second
)

func dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	addr := teststack.Addr(t)
	conn, err := grpc.NewClient(addr,
		append(serviceconfig.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatalf("grpc.NewClient(%s): %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func updateStatus(t *testing.T, req *livestreamv1.UpdateStatusRequest) (*livestreamv1.UpdateStatusResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return livestreamv1.NewLiveStreamServiceClient(dial(t)).UpdateStatus(ctx, req)
}

func TestHealthServing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	resp, err := healthpb.NewHealthClient(dial(t)).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("Health.Check: %v", err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Health.Check = %v; want SERVING", resp.GetStatus())
	}
}

func TestStartKnownWebinarReturnsTrackingID(t *testing.T) {
	resp, err := updateStatus(t, &livestreamv1.UpdateStatusRequest{
		Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: knownWebinar},
		Action: livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START,
	})
	if err != nil {
		t.Fatalf("UpdateStatus(start %s): %v", knownWebinar, err)
	}
	if strings.TrimSpace(resp.GetTrackingId()) == "" {
		t.Fatalf("UpdateStatus(start %s) tracking_id is empty", knownWebinar)
	}
}

func TestUnknownWebinarIsNotFoundWithZoomCode(t *testing.T) {
	_, err := updateStatus(t, &livestreamv1.UpdateStatusRequest{
		Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: unknownWebinar},
		Action: livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START,
	})
	e, ok := richerr.FromError(err)
	if !ok {
		t.Fatalf("UpdateStatus(start %s) = %v; want a gRPC error", unknownWebinar, err)
	}
	if e.Code != codes.NotFound {
		t.Errorf("code = %v; want NotFound (%v)", e.Code, err)
	}
	if e.ErrorInfo == nil {
		t.Fatalf("no ErrorInfo in %v", err)
	}
	if e.Domain() != richerr.Domain {
		t.Errorf("ErrorInfo.domain = %q; want %q", e.Domain(), richerr.Domain)
	}
	if e.Reason() != "ZOOM_WEBINAR_NOT_FOUND" {
		t.Errorf("ErrorInfo.reason = %q; want ZOOM_WEBINAR_NOT_FOUND", e.Reason())
	}
	if e.ZoomCode() != "3001" {
		t.Errorf("ErrorInfo.metadata[zoomCode] = %q; want 3001 (metadata %v)", e.ZoomCode(), e.ErrorInfo.GetMetadata())
	}
}

func TestValidationErrorNamesField(t *testing.T) {
	cases := []struct {
		name  string
		req   *livestreamv1.UpdateStatusRequest
		field string
	}{
		{
			name: "meeting id not a number",
			req: &livestreamv1.UpdateStatusRequest{
				Target: &livestreamv1.UpdateStatusRequest_MeetingId{MeetingId: "abc"},
				Action: livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START,
			},
			field: "meeting_id",
		},
		{
			name: "display name of 51 characters",
			req: &livestreamv1.UpdateStatusRequest{
				Target:   &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: knownWebinar},
				Settings: &livestreamv1.LiveStreamSettings{DisplayName: ptr(strings.Repeat("a", 51))},
			},
			field: "settings.display_name",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := updateStatus(t, tc.req)
			e, ok := richerr.FromError(err)
			if !ok {
				t.Fatalf("UpdateStatus = %v; want a gRPC error", err)
			}
			if e.Code != codes.InvalidArgument {
				t.Errorf("code = %v; want InvalidArgument (%v)", e.Code, err)
			}
			if e.BadRequest == nil {
				t.Fatalf("no BadRequest in %v", err)
			}
			if v := e.FieldViolation(tc.field); v == nil {
				t.Errorf("BadRequest has no violation for %q: %v", tc.field, e.FieldViolations())
			}
			if e.ErrorInfo.GetDomain() != richerr.Domain {
				t.Errorf("ErrorInfo.domain = %q; want %q", e.ErrorInfo.GetDomain(), richerr.Domain)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
