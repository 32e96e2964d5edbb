package richerr

import (
	"errors"
	"fmt"
	"testing"

	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func notFoundInfo() *errdetails.ErrorInfo {
	return &errdetails.ErrorInfo{
		Reason: "ZOOM_WEBINAR_NOT_FOUND",
		Domain: Domain,
		Metadata: map[string]string{
			MetadataZoomCode:   "3001",
			MetadataHTTPStatus: "404",
			MetadataTrackingID: "v=2.0;clid=us06;rid=abc",
		},
	}
}

func withDetails(t *testing.T, code codes.Code, msg string, details ...proto.Message) error {
	t.Helper()
	// The wire form (a google.rpc.Status with Any details) is built by hand so
	// the test controls detail order and duplicates exactly.
	p := &spb.Status{Code: int32(code), Message: msg}
	for _, d := range details {
		a, err := anypb.New(d)
		if err != nil {
			t.Fatalf("anypb.New(%T): %v", d, err)
		}
		p.Details = append(p.Details, a)
	}
	return status.FromProto(p).Err()
}

func TestFromErrorRejectsNonStatusErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
	}{
		{"nil", nil},
		{"plain error", errors.New("boom")},
		{"ok status", status.New(codes.OK, "").Err()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if e, ok := FromError(tc.err); ok || e != nil {
				t.Fatalf("FromError(%v) = %v, %v; want nil, false", tc.err, e, ok)
			}
		})
	}
}

func TestFromErrorSortsDetails(t *testing.T) {
	badRequest := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
		{Field: "meeting_id", Description: "must be a positive decimal integer"},
		{Field: "settings.display_name", Description: "must be 1 to 50 characters"},
	}}
	resource := &errdetails.ResourceInfo{ResourceType: "zoom.us/Webinar", ResourceName: "webinars/12345"}
	retry := &errdetails.RetryInfo{RetryDelay: durationpb.New(2e9)}
	foreign := wrapperspb.String("not a google.rpc detail")

	cases := []struct {
		name  string
		err   error
		check func(t *testing.T, e *Error)
	}{
		{
			name: "no details",
			err:  status.Error(codes.Unavailable, "down"),
			check: func(t *testing.T, e *Error) {
				if e.ErrorInfo != nil || e.BadRequest != nil || e.Reason() != "" || e.ZoomCode() != "" {
					t.Errorf("details = %+v; want none", e)
				}
				if e.FieldViolation("meeting_id") != nil {
					t.Error("FieldViolation on an error without BadRequest is not nil")
				}
			},
		},
		{
			name: "error info with zoom metadata",
			err:  withDetails(t, codes.NotFound, "webinar not found", notFoundInfo(), resource),
			check: func(t *testing.T, e *Error) {
				if e.Reason() != "ZOOM_WEBINAR_NOT_FOUND" || e.Domain() != Domain {
					t.Errorf("reason, domain = %q, %q", e.Reason(), e.Domain())
				}
				if e.ErrorReason() != livestreamv1.ErrorReason_ZOOM_WEBINAR_NOT_FOUND {
					t.Errorf("ErrorReason() = %v", e.ErrorReason())
				}
				if e.ZoomCode() != "3001" || e.HTTPStatus() != "404" || e.TrackingID() != "v=2.0;clid=us06;rid=abc" {
					t.Errorf("metadata = %v", e.ErrorInfo.GetMetadata())
				}
				if !proto.Equal(e.ResourceInfo, resource) {
					t.Errorf("ResourceInfo = %v; want %v", e.ResourceInfo, resource)
				}
			},
		},
		{
			name: "bad request",
			err: withDetails(t, codes.InvalidArgument, "invalid request",
				&errdetails.ErrorInfo{Reason: "INVALID_REQUEST", Domain: Domain}, badRequest),
			check: func(t *testing.T, e *Error) {
				if got := len(e.FieldViolations()); got != 2 {
					t.Fatalf("len(FieldViolations()) = %d; want 2", got)
				}
				if v := e.FieldViolation("settings.display_name"); v == nil || v.GetDescription() == "" {
					t.Errorf("FieldViolation(settings.display_name) = %v", v)
				}
				if v := e.FieldViolation("webinar_id"); v != nil {
					t.Errorf("FieldViolation(webinar_id) = %v; want nil", v)
				}
			},
		},
		{
			name: "repeated type keeps the first and unknown types are preserved",
			err: withDetails(t, codes.Unavailable, "rate limited",
				&errdetails.ErrorInfo{Reason: "FIRST", Domain: Domain},
				&errdetails.ErrorInfo{Reason: "SECOND", Domain: Domain}, retry, foreign),
			check: func(t *testing.T, e *Error) {
				if e.Reason() != "FIRST" {
					t.Errorf("Reason() = %q; want FIRST", e.Reason())
				}
				if e.RetryInfo.GetRetryDelay().AsDuration().Seconds() != 2 {
					t.Errorf("RetryInfo = %v", e.RetryInfo)
				}
				if len(e.Unknown) != 2 {
					t.Errorf("len(Unknown) = %d; want 2 (second ErrorInfo, StringValue)", len(e.Unknown))
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := FromError(tc.err)
			if !ok {
				t.Fatalf("FromError(%v) not ok", tc.err)
			}
			if e.Code != status.Code(tc.err) || e.Message != status.Convert(tc.err).Message() {
				t.Errorf("code, message = %v, %q; want %v, %q", e.Code, e.Message,
					status.Code(tc.err), status.Convert(tc.err).Message())
			}
			tc.check(t, e)
		})
	}
}

func TestErrorReasonIsUnspecifiedUnlessTheGatewaysKnownReason(t *testing.T) {
	newer := &errdetails.ErrorInfo{Reason: "ZOOM_SOMETHING_NEW", Domain: Domain}
	foreign := &errdetails.ErrorInfo{Reason: "ZOOM_WEBINAR_NOT_FOUND", Domain: "googleapis.com"}
	for name, err := range map[string]error{
		"no details":     status.Error(codes.Unavailable, "down"),
		"unknown reason": withDetails(t, codes.NotFound, "m", newer),
		"other domain":   withDetails(t, codes.NotFound, "m", foreign),
	} {
		e, ok := FromError(err)
		if !ok {
			t.Fatalf("%s: FromError failed", name)
		}
		if got := e.ErrorReason(); got != livestreamv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			t.Errorf("%s: ErrorReason() = %v; want ERROR_REASON_UNSPECIFIED", name, got)
		}
	}
}

func TestFromErrorSeesThroughWrapping(t *testing.T) {
	inner := withDetails(t, codes.NotFound, "webinar not found", notFoundInfo())
	wrapped := fmt.Errorf("starting live stream: %w", inner)
	if got := ErrorInfo(wrapped).GetMetadata()[MetadataZoomCode]; got != "3001" {
		t.Fatalf("ErrorInfo(wrapped) zoomCode = %q; want 3001", got)
	}
	if BadRequest(wrapped) != nil {
		t.Fatal("BadRequest(wrapped) is not nil")
	}
}

func TestErrorKeepsStatusIdentity(t *testing.T) {
	err := withDetails(t, codes.NotFound, "webinar not found", notFoundInfo())
	e, _ := FromError(err)
	if status.Code(e) != codes.NotFound {
		t.Errorf("status.Code(*Error) = %v; want NotFound", status.Code(e))
	}
	if e.Error() != err.Error() {
		t.Errorf("Error() = %q; want %q", e.Error(), err.Error())
	}
	if !proto.Equal(e.GRPCStatus().Proto(), status.Convert(err).Proto()) {
		t.Error("GRPCStatus() differs from the original status")
	}
}

func TestFromProtoRejectsNilAndOK(t *testing.T) {
	for name, s := range map[string]*spb.Status{
		"nil (a batch result holding a response)": nil,
		"ok status": {Code: int32(codes.OK)},
	} {
		if e, ok := FromProto(s); ok || e != nil {
			t.Errorf("%s: FromProto = %v, %v; want nil, false", name, e, ok)
		}
	}
}

// A batch item's google.rpc.Status must read exactly as the same status
// failing a single call.
func TestFromProtoReadsAsFromError(t *testing.T) {
	badRequest := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
		{Field: "meeting_id", Description: "must be a positive decimal integer"},
	}}
	invalid := &errdetails.ErrorInfo{Reason: "INVALID_REQUEST", Domain: Domain}
	for name, err := range map[string]error{
		"not found":        withDetails(t, codes.NotFound, "webinar not found", notFoundInfo()),
		"invalid argument": withDetails(t, codes.InvalidArgument, "bad meeting_id", invalid, badRequest),
		"no details":       status.Error(codes.Unavailable, "down"),
	} {
		t.Run(name, func(t *testing.T) {
			want, _ := FromError(err)
			got, ok := FromProto(status.Convert(err).Proto())
			if !ok {
				t.Fatal("FromProto failed")
			}
			if got.Code != want.Code || got.Message != want.Message || got.Error() != want.Error() {
				t.Errorf("FromProto = %v %q; want %v %q", got.Code, got.Message, want.Code, want.Message)
			}
			if !proto.Equal(got.ErrorInfo, want.ErrorInfo) || !proto.Equal(got.BadRequest, want.BadRequest) {
				t.Errorf("details differ: ErrorInfo %v, BadRequest %v; want %v, %v",
					got.ErrorInfo, got.BadRequest, want.ErrorInfo, want.BadRequest)
			}
			if got.ErrorReason() != want.ErrorReason() || status.Code(got) != want.Code {
				t.Errorf("ErrorReason %v, status.Code %v; want %v, %v",
					got.ErrorReason(), status.Code(got), want.ErrorReason(), want.Code)
			}
		})
	}
}
