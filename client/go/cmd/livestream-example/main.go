// Command livestream-example calls zoom.livestream.v1.LiveStreamService once
// and prints either Zoom's tracking ID or the decoded error details.
//
//	go run ./cmd/livestream-example --target 127.0.0.1:50051 --webinar_id 99289110036 --action start
//
// It exits 0 on success, 1 when the call failed and 2 on bad flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	"github.com/zoom-livestream-gateway/gateway/client/go/security"
	"github.com/zoom-livestream-gateway/gateway/client/go/serviceconfig"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("livestream-example", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "127.0.0.1:50051", "gateway address, host:port")
	useTLS := fs.Bool("tls", false, "use TLS with the system roots instead of plaintext")
	caFile := fs.String("tls_ca_file", "", "PEM CA the gateway's certificate chains to (implies --tls)")
	certFile := fs.String("tls_cert_file", "", "PEM client certificate for mTLS (with --tls_key_file)")
	keyFile := fs.String("tls_key_file", "", "PEM private key of --tls_cert_file")
	tokenFile := fs.String("bearer_token_file", "", "file whose token is sent as 'authorization: Bearer' (needs TLS)")
	webinarID := fs.String("webinar_id", "", "Zoom webinar ID (exactly one of --webinar_id, --meeting_id)")
	meetingID := fs.String("meeting_id", "", "Zoom meeting ID")
	action := fs.String("action", "start", "start, stop or none (settings only)")
	displayName := fs.String("display_name", "", "live stream display name to set (optional)")
	deadline := fs.Duration("deadline", 10*time.Second, "deadline of the call")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	req := &livestreamv1.UpdateStatusRequest{}
	switch {
	case *webinarID != "" && *meetingID == "":
		req.Target = &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: *webinarID}
	case *meetingID != "" && *webinarID == "":
		req.Target = &livestreamv1.UpdateStatusRequest_MeetingId{MeetingId: *meetingID}
	default:
		fmt.Fprintln(stderr, "exactly one of --webinar_id and --meeting_id is required")
		return 2
	}
	switch strings.ToLower(*action) {
	case "start":
		req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START
	case "stop":
		req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_STOP
	case "none", "":
		req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_UNSPECIFIED
	default:
		fmt.Fprintf(stderr, "--action must be start, stop or none, not %q\n", *action)
		return 2
	}
	if *displayName != "" {
		req.Settings = &livestreamv1.LiveStreamSettings{DisplayName: displayName}
	}

	secOpts := security.Options{TLS: *useTLS, CAFile: *caFile, CertFile: *certFile, KeyFile: *keyFile}
	if *tokenFile != "" {
		token, err := security.ReadBearerTokenFile(*tokenFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		secOpts.BearerToken = token
	}
	dialOpts, err := security.DialOptions(secOpts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	conn, err := grpc.NewClient(*target, append(serviceconfig.DialOptions(), dialOpts...)...)
	if err != nil {
		fmt.Fprintf(stderr, "connect %s: %v\n", *target, err)
		return 1
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *deadline)
	defer cancel()
	resp, err := livestreamv1.NewLiveStreamServiceClient(conn).UpdateStatus(ctx, req)
	if err != nil {
		printError(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "ok tracking_id=%q\n", resp.GetTrackingId())
	return 0
}

func printError(w io.Writer, err error) {
	e, ok := richerr.FromError(err)
	if !ok {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	fmt.Fprintf(w, "error: code=%s message=%q\n", e.Code, e.Message)
	if e.ErrorInfo != nil {
		fmt.Fprintf(w, "  reason=%s domain=%s zoomCode=%q httpStatus=%q trackingId=%q\n",
			e.Reason(), e.Domain(), e.ZoomCode(), e.HTTPStatus(), e.TrackingID())
	}
	for _, v := range e.FieldViolations() {
		fmt.Fprintf(w, "  bad field %s: %s\n", v.GetField(), v.GetDescription())
	}
	if e.ResourceInfo != nil {
		fmt.Fprintf(w, "  resource %s %s\n", e.ResourceInfo.GetResourceType(), e.ResourceInfo.GetResourceName())
	}
	for _, v := range e.PreconditionFailure.GetViolations() {
		fmt.Fprintf(w, "  precondition %s %s: %s\n", v.GetType(), v.GetSubject(), v.GetDescription())
	}
	if e.RetryInfo != nil {
		fmt.Fprintf(w, "  retry after %s\n", e.RetryInfo.GetRetryDelay().AsDuration())
	}
}
