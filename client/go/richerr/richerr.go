// Package richerr reads the google.rpc error details that
// zoom.livestream.v1.LiveStreamService attaches to every non-OK status.
//
// The server sends, in the grpc-status-details-bin trailer, a google.rpc.Status
// holding exactly one google.rpc.ErrorInfo (domain "zoom-livestream-gateway")
// and, where they help, a BadRequest, ResourceInfo, PreconditionFailure,
// RetryInfo, QuotaFailure or Help. grpc-go already decodes that trailer into
// status.Status.Details(); this package sorts the details by type so callers
// branch on ErrorInfo.Reason or a BadRequest field instead of on message text.
//
//	resp, err := client.UpdateStatus(ctx, req)
//	if e, ok := richerr.FromError(err); ok {
//		switch e.ErrorReason() {
//		case livestreamv1.ErrorReason_ZOOM_WEBINAR_NOT_FOUND: ...
//		}
//		log.Printf("zoomCode=%s trackingId=%s", e.ZoomCode(), e.TrackingID())
//	}
//
// A failed item of BatchUpdateStatus carries the same google.rpc.Status in its
// result, read the same way through FromProto:
//
//	for i, r := range resp.GetResults() {
//		if e, ok := richerr.FromProto(r.GetError()); ok {
//			log.Printf("item %d: %v reason=%s", i, e.Code, e.Reason())
//		}
//	}
package richerr

import (
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// Domain is the ErrorInfo.domain of every error the gateway returns.
const Domain = "zoom-livestream-gateway"

// ErrorInfo metadata keys the gateway sets when Zoom answered.
const (
	MetadataZoomCode   = "zoomCode"
	MetadataHTTPStatus = "httpStatus"
	MetadataTrackingID = "trackingId"
)

// Error is a gRPC error with its google.rpc details sorted by type. A detail
// the server did not send is nil. AIP-193 allows each type at most once; should
// a type repeat, the first one wins.
type Error struct {
	Code    codes.Code
	Message string

	ErrorInfo           *errdetails.ErrorInfo
	BadRequest          *errdetails.BadRequest
	ResourceInfo        *errdetails.ResourceInfo
	PreconditionFailure *errdetails.PreconditionFailure
	RetryInfo           *errdetails.RetryInfo
	QuotaFailure        *errdetails.QuotaFailure
	Help                *errdetails.Help
	LocalizedMessage    *errdetails.LocalizedMessage
	RequestInfo         *errdetails.RequestInfo
	DebugInfo           *errdetails.DebugInfo

	// Unknown holds details of types this package does not sort, or that
	// failed to unpack, so nothing the server sent is lost.
	Unknown []*anypb.Any

	status *status.Status
}

// FromError returns the sorted details of err, which must be (or wrap) a gRPC
// status error with a non-OK code. ok is false for nil, for an OK status and
// for errors that carry no gRPC status at all (for example a dial error from a
// non-gRPC layer). An error without details still yields an Error, with nil
// detail fields.
func FromError(err error) (e *Error, ok bool) {
	if err == nil {
		return nil, false
	}
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.OK {
		return nil, false
	}
	return FromStatus(st), true
}

// FromProto returns the sorted details of a google.rpc.Status message, such as
// BatchUpdateStatusResult.error: the same Error a single call failing with that
// status yields from FromError. ok is false for nil (a result that holds a
// response) and for an OK status.
func FromProto(s *spb.Status) (e *Error, ok bool) {
	if s == nil || codes.Code(s.GetCode()) == codes.OK {
		return nil, false
	}
	return FromStatus(status.FromProto(s)), true
}

// FromStatus sorts the details of st. It never fails: details that do not
// unpack are kept in Unknown.
func FromStatus(st *status.Status) *Error {
	e := &Error{Code: st.Code(), Message: st.Message(), status: st}
	for _, a := range st.Proto().GetDetails() {
		msg, err := a.UnmarshalNew()
		if err != nil {
			e.Unknown = append(e.Unknown, a)
			continue
		}
		if !e.keep(msg) {
			e.Unknown = append(e.Unknown, a)
		}
	}
	return e
}

// keep stores msg in its field unless that field is already set or the type
// is unknown here.
func (e *Error) keep(msg any) bool {
	switch d := msg.(type) {
	case *errdetails.ErrorInfo:
		return setOnce(&e.ErrorInfo, d)
	case *errdetails.BadRequest:
		return setOnce(&e.BadRequest, d)
	case *errdetails.ResourceInfo:
		return setOnce(&e.ResourceInfo, d)
	case *errdetails.PreconditionFailure:
		return setOnce(&e.PreconditionFailure, d)
	case *errdetails.RetryInfo:
		return setOnce(&e.RetryInfo, d)
	case *errdetails.QuotaFailure:
		return setOnce(&e.QuotaFailure, d)
	case *errdetails.Help:
		return setOnce(&e.Help, d)
	case *errdetails.LocalizedMessage:
		return setOnce(&e.LocalizedMessage, d)
	case *errdetails.RequestInfo:
		return setOnce(&e.RequestInfo, d)
	case *errdetails.DebugInfo:
		return setOnce(&e.DebugInfo, d)
	}
	return false
}

func setOnce[T any](field **T, v *T) bool {
	if *field != nil {
		return false
	}
	*field = v
	return true
}

// Error implements error, so an *Error can be returned as is.
func (e *Error) Error() string { return e.GRPCStatus().Err().Error() }

// GRPCStatus returns the original status, so status.FromError and
// status.Code keep working on an *Error.
func (e *Error) GRPCStatus() *status.Status {
	if e.status == nil {
		return status.New(e.Code, e.Message)
	}
	return e.status
}

// Reason is ErrorInfo.reason (for example "ZOOM_WEBINAR_NOT_FOUND"), or "".
func (e *Error) Reason() string { return e.ErrorInfo.GetReason() }

// ErrorReason is the reason as the generated enum: ERROR_REASON_UNSPECIFIED
// without ErrorInfo, for another domain, or for a reason this build does not
// know (a newer server).
func (e *Error) ErrorReason() livestreamv1.ErrorReason {
	if e.Domain() != Domain {
		return livestreamv1.ErrorReason_ERROR_REASON_UNSPECIFIED
	}
	return livestreamv1.ErrorReason(livestreamv1.ErrorReason_value[e.Reason()])
}

// Domain is ErrorInfo.domain, or "".
func (e *Error) Domain() string { return e.ErrorInfo.GetDomain() }

// Metadata returns ErrorInfo.metadata[key], or "".
func (e *Error) Metadata(key string) string { return e.ErrorInfo.GetMetadata()[key] }

// ZoomCode is Zoom's error code (for example "3001") when Zoom answered.
func (e *Error) ZoomCode() string { return e.Metadata(MetadataZoomCode) }

// HTTPStatus is Zoom's HTTP status (for example "404") when Zoom answered.
func (e *Error) HTTPStatus() string { return e.Metadata(MetadataHTTPStatus) }

// TrackingID is Zoom's x-zm-trackingid, to quote to Zoom support.
func (e *Error) TrackingID() string { return e.Metadata(MetadataTrackingID) }

// FieldViolations lists BadRequest.field_violations (nil when there is no
// BadRequest).
func (e *Error) FieldViolations() []*errdetails.BadRequest_FieldViolation {
	return e.BadRequest.GetFieldViolations()
}

// FieldViolation returns the violation for field (a path such as
// "meeting_id" or "settings.display_name"), or nil.
func (e *Error) FieldViolation(field string) *errdetails.BadRequest_FieldViolation {
	for _, v := range e.FieldViolations() {
		if v.GetField() == field {
			return v
		}
	}
	return nil
}

// ErrorInfo is a shortcut for FromError(err) followed by .ErrorInfo.
func ErrorInfo(err error) *errdetails.ErrorInfo {
	if e, ok := FromError(err); ok {
		return e.ErrorInfo
	}
	return nil
}

// BadRequest is a shortcut for FromError(err) followed by .BadRequest.
func BadRequest(err error) *errdetails.BadRequest {
	if e, ok := FromError(err); ok {
		return e.BadRequest
	}
	return nil
}
