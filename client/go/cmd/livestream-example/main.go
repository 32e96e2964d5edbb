// Command livestream-example calls zoom.livestream.v1.LiveStreamService once
// and prints the result or the decoded error details:
//
//	livestream-example [status] --webinar_id ID | --meeting_id ID [--action start|stop|none] [--display_name NAME]
//	livestream-example get --webinar_id ID | --meeting_id ID
//	livestream-example configure --webinar_id ID | --meeting_id ID [--stream_url URL]
//	    [--stream_key_file FILE] [--page_url URL] [--resolution 720p|1080p] [--update_mask PATH,...]
//	livestream-example batch [--action ...] [--display_name NAME] webinar:ID|meeting:ID ...
//
// status is UpdateStatus, get GetLiveStream, configure UpdateLiveStream and
// batch BatchUpdateStatus (one item per webinar:ID or meeting:ID, each result
// printed in order). Every command takes --target, --deadline, --no_retry
// (UNAVAILABLE is retried otherwise: package channel) and the TLS and
// bearer-token flags, e.g.
//
//	go run ./cmd/livestream-example --target 127.0.0.1:50051 --webinar_id 99289110036 --action start
//	go run ./cmd/livestream-example batch --target 127.0.0.1:50051 webinar:99289110036 meeting:85746065
//
// It exits 0 on success, 1 when the call (or an item of a batch) failed and 2
// on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/zoom-livestream-gateway/gateway/client/go/channel"
	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	"github.com/zoom-livestream-gateway/gateway/client/go/security"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// call makes one RPC, prints its outcome and returns the exit code.
type call func(ctx context.Context, c livestreamv1.LiveStreamServiceClient, stdout, stderr io.Writer) int

// A command registers its flags on fs and returns what builds its call once
// the flags are parsed; an error there is a usage error (exit 2).
var commands = map[string]func(fs *flag.FlagSet) func() (call, error){
	"status":    statusCommand,
	"get":       getCommand,
	"configure": configureCommand,
	"batch":     batchCommand,
}

func run(args []string, stdout, stderr io.Writer) int {
	name := "status"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	command, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "unknown command %q: status, get, configure or batch\n", name)
		return 2
	}
	fs := flag.NewFlagSet("livestream-example "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "127.0.0.1:50051", "gateway address, host:port")
	useTLS := fs.Bool("tls", false, "use TLS with the system roots instead of plaintext")
	caFile := fs.String("tls_ca_file", "", "PEM CA the gateway's certificate chains to (implies --tls)")
	certFile := fs.String("tls_cert_file", "", "PEM client certificate for mTLS (with --tls_key_file)")
	keyFile := fs.String("tls_key_file", "", "PEM private key of --tls_cert_file")
	tokenFile := fs.String("bearer_token_file", "", "file whose token is sent as 'authorization: Bearer' (needs TLS)")
	deadline := fs.Duration("deadline", 10*time.Second, "deadline of the call")
	noRetry := fs.Bool("no_retry", false, "do not retry UNAVAILABLE (no retry service config)")
	build := command(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	do, err := build()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
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
	conn, err := channel.New(*target, channel.Options{Security: secOpts, NoServiceConfig: *noRetry})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *deadline)
	defer cancel()
	return do(ctx, livestreamv1.NewLiveStreamServiceClient(conn), stdout, stderr)
}

// target is the webinar or meeting of a call.
type target struct {
	meeting bool
	id      string
}

func (t target) String() string {
	if t.meeting {
		return "meeting " + t.id
	}
	return "webinar " + t.id
}

// targetFlags registers --webinar_id and --meeting_id; the returned function
// reads them after parsing.
func targetFlags(fs *flag.FlagSet) func() (target, error) {
	webinarID := fs.String("webinar_id", "", "Zoom webinar ID (exactly one of --webinar_id, --meeting_id)")
	meetingID := fs.String("meeting_id", "", "Zoom meeting ID")
	return func() (target, error) {
		switch {
		case *webinarID != "" && *meetingID == "":
			return target{id: *webinarID}, nil
		case *meetingID != "" && *webinarID == "":
			return target{meeting: true, id: *meetingID}, nil
		}
		return target{}, errors.New("exactly one of --webinar_id and --meeting_id is required")
	}
}

// settingsFlags registers --action and --display_name, for status and batch.
func settingsFlags(fs *flag.FlagSet, defaultAction string) func(t target) (*livestreamv1.UpdateStatusRequest, error) {
	action := fs.String("action", defaultAction, "start, stop or none (settings only)")
	displayName := fs.String("display_name", "", "live stream display name to set (optional)")
	return func(t target) (*livestreamv1.UpdateStatusRequest, error) {
		req := &livestreamv1.UpdateStatusRequest{}
		if t.meeting {
			req.Target = &livestreamv1.UpdateStatusRequest_MeetingId{MeetingId: t.id}
		} else {
			req.Target = &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: t.id}
		}
		switch strings.ToLower(*action) {
		case "start":
			req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START
		case "stop":
			req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_STOP
		case "none", "":
			req.Action = livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_UNSPECIFIED
		default:
			return nil, fmt.Errorf("--action must be start, stop or none, not %q", *action)
		}
		if *displayName != "" {
			req.Settings = &livestreamv1.LiveStreamSettings{DisplayName: displayName}
		}
		return req, nil
	}
}

func statusCommand(fs *flag.FlagSet) func() (call, error) {
	readTarget := targetFlags(fs)
	readSettings := settingsFlags(fs, "start")
	return func() (call, error) {
		t, err := readTarget()
		if err != nil {
			return nil, err
		}
		req, err := readSettings(t)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, c livestreamv1.LiveStreamServiceClient, stdout, stderr io.Writer) int {
			resp, err := c.UpdateStatus(ctx, req)
			if err != nil {
				printError(stderr, err)
				return 1
			}
			fmt.Fprintf(stdout, "ok tracking_id=%q\n", resp.GetTrackingId())
			return 0
		}, nil
	}
}

func getCommand(fs *flag.FlagSet) func() (call, error) {
	readTarget := targetFlags(fs)
	return func() (call, error) {
		t, err := readTarget()
		if err != nil {
			return nil, err
		}
		req := &livestreamv1.GetLiveStreamRequest{}
		if t.meeting {
			req.Target = &livestreamv1.GetLiveStreamRequest_MeetingId{MeetingId: t.id}
		} else {
			req.Target = &livestreamv1.GetLiveStreamRequest_WebinarId{WebinarId: t.id}
		}
		return func(ctx context.Context, c livestreamv1.LiveStreamServiceClient, stdout, stderr io.Writer) int {
			resp, err := c.GetLiveStream(ctx, req)
			if err != nil {
				printError(stderr, err)
				return 1
			}
			printLiveStream(stdout, resp.GetLiveStream(), resp.GetTrackingId())
			return 0
		}, nil
	}
}

var resolutions = map[string]livestreamv1.LiveStreamResolution{
	"":      livestreamv1.LiveStreamResolution_LIVE_STREAM_RESOLUTION_UNSPECIFIED,
	"720p":  livestreamv1.LiveStreamResolution_LIVE_STREAM_RESOLUTION_720P,
	"1080p": livestreamv1.LiveStreamResolution_LIVE_STREAM_RESOLUTION_1080P,
}

func configureCommand(fs *flag.FlagSet) func() (call, error) {
	readTarget := targetFlags(fs)
	streamURL := fs.String("stream_url", "", "rtmp:// or rtmps:// ingest URL")
	// The stream key is a secret: a file keeps it out of the process list.
	streamKeyFile := fs.String("stream_key_file", "", "file holding the stream key (whitespace trimmed)")
	pageURL := fs.String("page_url", "", "http(s):// page where viewers watch")
	resolution := fs.String("resolution", "", "720p or 1080p (optional)")
	updateMask := fs.String("update_mask", "", "comma-separated fields to change (stream_url, stream_key, page_url, "+
		"resolution, or *); default: the fields given")
	return func() (call, error) {
		t, err := readTarget()
		if err != nil {
			return nil, err
		}
		res, ok := resolutions[strings.ToLower(*resolution)]
		if !ok {
			return nil, fmt.Errorf("--resolution must be 720p or 1080p, not %q", *resolution)
		}
		ls := &livestreamv1.LiveStream{StreamUrl: *streamURL, PageUrl: *pageURL, Resolution: res}
		if *streamKeyFile != "" {
			key, err := os.ReadFile(*streamKeyFile)
			if err != nil {
				return nil, fmt.Errorf("--stream_key_file: %w", err)
			}
			ls.StreamKey = strings.TrimSpace(string(key))
		}
		req := &livestreamv1.UpdateLiveStreamRequest{LiveStream: ls}
		if t.meeting {
			req.Target = &livestreamv1.UpdateLiveStreamRequest_MeetingId{MeetingId: t.id}
		} else {
			req.Target = &livestreamv1.UpdateLiveStreamRequest_WebinarId{WebinarId: t.id}
		}
		if *updateMask != "" {
			req.UpdateMask = &fieldmaskpb.FieldMask{Paths: strings.Split(*updateMask, ",")}
		}
		return func(ctx context.Context, c livestreamv1.LiveStreamServiceClient, stdout, stderr io.Writer) int {
			resp, err := c.UpdateLiveStream(ctx, req)
			if err != nil {
				printError(stderr, err)
				return 1
			}
			printLiveStream(stdout, resp.GetLiveStream(), resp.GetTrackingId())
			return 0
		}, nil
	}
}

func batchCommand(fs *flag.FlagSet) func() (call, error) {
	readSettings := settingsFlags(fs, "start")
	return func() (call, error) {
		if fs.NArg() == 0 {
			return nil, errors.New("batch needs at least one webinar:ID or meeting:ID")
		}
		req := &livestreamv1.BatchUpdateStatusRequest{}
		var targets []target
		for _, arg := range fs.Args() {
			kind, id, _ := strings.Cut(arg, ":")
			if (kind != "webinar" && kind != "meeting") || id == "" {
				return nil, fmt.Errorf("batch item %q: want webinar:ID or meeting:ID", arg)
			}
			t := target{meeting: kind == "meeting", id: id}
			item, err := readSettings(t)
			if err != nil {
				return nil, err
			}
			targets = append(targets, t)
			req.Requests = append(req.Requests, item)
		}
		return func(ctx context.Context, c livestreamv1.LiveStreamServiceClient, stdout, stderr io.Writer) int {
			resp, err := c.BatchUpdateStatus(ctx, req)
			if err != nil {
				printError(stderr, err)
				return 1
			}
			if len(resp.GetResults()) != len(targets) {
				fmt.Fprintf(stderr, "error: %d results for %d requests\n", len(resp.GetResults()), len(targets))
				return 1
			}
			code := 0
			// The results come in the order of the requests.
			for i, r := range resp.GetResults() {
				if e, failed := richerr.FromProto(r.GetError()); failed {
					fmt.Fprintf(stdout, "[%d] %s: ", i, targets[i])
					printRichError(stdout, e)
					code = 1
					continue
				}
				fmt.Fprintf(stdout, "[%d] %s: ok tracking_id=%q\n", i, targets[i], r.GetResponse().GetTrackingId())
			}
			return code
		}, nil
	}
}

// printLiveStream prints a configuration without its stream key, a secret.
func printLiveStream(w io.Writer, ls *livestreamv1.LiveStream, trackingID string) {
	key := "(empty)"
	if ls.GetStreamKey() != "" {
		key = "(set, redacted)"
	}
	fmt.Fprintf(w, "ok stream_url=%q stream_key=%s page_url=%q resolution=%s tracking_id=%q\n",
		ls.GetStreamUrl(), key, ls.GetPageUrl(), ls.GetResolution(), trackingID)
}

func printError(w io.Writer, err error) {
	e, ok := richerr.FromError(err)
	if !ok {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	printRichError(w, e)
}

func printRichError(w io.Writer, e *richerr.Error) {
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
