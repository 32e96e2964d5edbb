package integration

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/zoom-livestream-gateway/gateway/client/go/internal/teststack"
	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

// configuredWebinar is a seed fixture with a configuration and not started:
// the tests that change a configuration use it, so the fixtures the other
// tests start stay as seeded.
const configuredWebinar = "99289110038"

func client(t *testing.T) (livestreamv1.LiveStreamServiceClient, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return livestreamv1.NewLiveStreamServiceClient(dial(t)), ctx
}

func getLiveStream(t *testing.T, webinarID string) *livestreamv1.GetLiveStreamResponse {
	t.Helper()
	c, ctx := client(t)
	resp, err := c.GetLiveStream(ctx, &livestreamv1.GetLiveStreamRequest{
		Target: &livestreamv1.GetLiveStreamRequest_WebinarId{WebinarId: webinarID},
	})
	if err != nil {
		t.Fatalf("GetLiveStream(%s): %v", webinarID, err)
	}
	return resp
}

func TestGetLiveStreamReturnsConfiguration(t *testing.T) {
	resp := getLiveStream(t, knownWebinar)
	// The seed fixture's configuration (tests/zoom_emulator/README.md).
	want := &livestreamv1.LiveStream{
		StreamUrl:  "rtmp://live.emulator.example/live",
		StreamKey:  "emulator-stream-key-" + knownWebinar,
		PageUrl:    "https://emulator.example/live/" + knownWebinar,
		Resolution: livestreamv1.LiveStreamResolution_LIVE_STREAM_RESOLUTION_720P,
	}
	if !proto.Equal(resp.GetLiveStream(), want) {
		t.Errorf("GetLiveStream(%s) = %v; want %v", knownWebinar, resp.GetLiveStream(), want)
	}
	if strings.TrimSpace(resp.GetTrackingId()) == "" {
		t.Error("tracking_id is empty")
	}
}

func TestGetLiveStreamOfUnknownMeetingIsNotFound(t *testing.T) {
	c, ctx := client(t)
	_, err := c.GetLiveStream(ctx, &livestreamv1.GetLiveStreamRequest{
		Target: &livestreamv1.GetLiveStreamRequest_MeetingId{MeetingId: "12345"},
	})
	e, ok := richerr.FromError(err)
	if !ok || e.Code != codes.NotFound || e.ErrorReason() != livestreamv1.ErrorReason_ZOOM_MEETING_NOT_FOUND {
		t.Fatalf("GetLiveStream(unknown meeting) = %v; want NotFound ZOOM_MEETING_NOT_FOUND", err)
	}
}

// The steps share the fixture's state, so they run in order in one test.
func TestUpdateLiveStreamChangesConfiguration(t *testing.T) {
	c, ctx := client(t)
	full := &livestreamv1.LiveStream{
		StreamUrl:  "rtmps://ingest.example.com/app",
		StreamKey:  "go-client-key-1",
		PageUrl:    "https://watch.example.com/1",
		Resolution: livestreamv1.LiveStreamResolution_LIVE_STREAM_RESOLUTION_1080P,
	}
	resp, err := c.UpdateLiveStream(ctx, &livestreamv1.UpdateLiveStreamRequest{
		Target:     &livestreamv1.UpdateLiveStreamRequest_WebinarId{WebinarId: configuredWebinar},
		LiveStream: full,
	})
	if err != nil {
		t.Fatalf("UpdateLiveStream(every field): %v", err)
	}
	if !proto.Equal(resp.GetLiveStream(), full) || resp.GetTrackingId() == "" {
		t.Errorf("UpdateLiveStream(every field) = %v; want %v with a tracking id", resp, full)
	}
	if got := getLiveStream(t, configuredWebinar).GetLiveStream(); !proto.Equal(got, full) {
		t.Errorf("GetLiveStream after the update = %v; want %v", got, full)
	}

	// A partial update_mask: the other fields are read and sent back as they are.
	merged := proto.Clone(full).(*livestreamv1.LiveStream)
	merged.PageUrl = "https://watch.example.com/2"
	resp, err = c.UpdateLiveStream(ctx, &livestreamv1.UpdateLiveStreamRequest{
		Target: &livestreamv1.UpdateLiveStreamRequest_WebinarId{WebinarId: configuredWebinar},
		// stream_url is set but not named by the mask, so it must not change.
		LiveStream: &livestreamv1.LiveStream{PageUrl: merged.PageUrl, StreamUrl: "rtmp://ignored.example.com/x"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"page_url"}},
	})
	if err != nil {
		t.Fatalf("UpdateLiveStream(update_mask page_url): %v", err)
	}
	if !proto.Equal(resp.GetLiveStream(), merged) {
		t.Errorf("UpdateLiveStream(update_mask page_url) sent %v; want %v", resp.GetLiveStream(), merged)
	}
	if got := getLiveStream(t, configuredWebinar).GetLiveStream(); !proto.Equal(got, merged) {
		t.Errorf("GetLiveStream after the partial update = %v; want %v", got, merged)
	}
}

func TestUpdateLiveStreamValidationErrorNamesField(t *testing.T) {
	cases := []struct {
		name  string
		req   *livestreamv1.UpdateLiveStreamRequest
		field string
	}{
		{
			name: "stream_url not rtmp",
			req: &livestreamv1.UpdateLiveStreamRequest{
				LiveStream: &livestreamv1.LiveStream{StreamUrl: "http://ingest.example.com/app"},
			},
			field: "live_stream.stream_url",
		},
		{
			name: "unknown update_mask path",
			req: &livestreamv1.UpdateLiveStreamRequest{
				LiveStream: &livestreamv1.LiveStream{PageUrl: "https://watch.example.com/x"},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name"}},
			},
			field: "update_mask",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Target = &livestreamv1.UpdateLiveStreamRequest_WebinarId{WebinarId: configuredWebinar}
			c, ctx := client(t)
			_, err := c.UpdateLiveStream(ctx, tc.req)
			e, ok := richerr.FromError(err)
			if !ok || e.Code != codes.InvalidArgument {
				t.Fatalf("UpdateLiveStream = %v; want InvalidArgument", err)
			}
			if e.FieldViolation(tc.field) == nil {
				t.Errorf("BadRequest has no violation for %q: %v", tc.field, e.FieldViolations())
			}
		})
	}
}

func TestBatchUpdateStatusWithFailedItems(t *testing.T) {
	start := livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START
	c, ctx := client(t)
	resp, err := c.BatchUpdateStatus(ctx, &livestreamv1.BatchUpdateStatusRequest{
		Requests: []*livestreamv1.UpdateStatusRequest{
			{Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: knownWebinar}, Action: start},
			{Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: unknownWebinar}, Action: start},
			{Target: &livestreamv1.UpdateStatusRequest_MeetingId{MeetingId: teststack.KnownMeeting}, Action: start},
			{Target: &livestreamv1.UpdateStatusRequest_MeetingId{MeetingId: "abc"}, Action: start},
		},
	})
	if err != nil {
		t.Fatalf("BatchUpdateStatus: %v", err)
	}
	results := resp.GetResults()
	if len(results) != 4 {
		t.Fatalf("BatchUpdateStatus returned %d results; want 4: %v", len(results), results)
	}
	for _, i := range []int{0, 2} {
		if e, failed := richerr.FromProto(results[i].GetError()); failed {
			t.Errorf("item %d failed: %v", i, e)
		} else if results[i].GetResponse().GetTrackingId() == "" {
			t.Errorf("item %d = %v; want a response with a tracking id", i, results[i])
		}
	}

	notFound, failed := richerr.FromProto(results[1].GetError())
	if !failed {
		t.Fatalf("item 1 (unknown webinar) = %v; want an error", results[1])
	}
	if notFound.Code != codes.NotFound || notFound.Domain() != richerr.Domain ||
		notFound.ErrorReason() != livestreamv1.ErrorReason_ZOOM_WEBINAR_NOT_FOUND || notFound.ZoomCode() != "3001" {
		t.Errorf("item 1 = %v reason %s zoomCode %q; want NotFound ZOOM_WEBINAR_NOT_FOUND 3001",
			notFound.Code, notFound.Reason(), notFound.ZoomCode())
	}

	invalid, failed := richerr.FromProto(results[3].GetError())
	if !failed {
		t.Fatalf("item 3 (meeting abc) = %v; want an error", results[3])
	}
	if invalid.Code != codes.InvalidArgument || invalid.FieldViolation("meeting_id") == nil {
		t.Errorf("item 3 = %v %v; want InvalidArgument naming meeting_id", invalid.Code, invalid.FieldViolations())
	}

	// An item's error reads as the same request's single call does.
	_, single := updateStatus(t, &livestreamv1.UpdateStatusRequest{
		Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: unknownWebinar}, Action: start,
	})
	want, ok := richerr.FromError(single)
	if !ok {
		t.Fatalf("UpdateStatus(unknown webinar) = %v; want an error", single)
	}
	if notFound.Code != want.Code || notFound.Reason() != want.Reason() ||
		!proto.Equal(notFound.ResourceInfo, want.ResourceInfo) {
		t.Errorf("item error %v %s %v; the single call's %v %s %v", notFound.Code, notFound.Reason(),
			notFound.ResourceInfo, want.Code, want.Reason(), want.ResourceInfo)
	}
}
