// go_reference: the bench's Go reference gateway (issue 16). LiveStreamService
// UpdateStatus written the obvious way (grpc-go, net/http keep-alive client,
// mime/multipart), sending Zoom the request the gateway sends:
// PATCH {base}/{webinars|meetings}/{id}/livestream/status with a
// multipart/form-data body of `action` and `settings`, Accept, User-Agent and
// Authorization: Bearer $ZOOM_ACCESS_TOKEN. A 2xx answer is the response (its
// x-zm-trackingid the tracking_id); anything else becomes a gRPC status. The
// other RPCs answer UNIMPLEMENTED. bench/run.sh runs it with GOGC=400.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	pb "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var (
	listen         = flag.String("listen", "127.0.0.1:0", "host:port to listen on (port 0 picks a free one)")
	portFile       = flag.String("port_file", "", "if set, the bound port is written here once listening")
	baseURL        = flag.String("zoom_api_base_url", "https://api.zoom.us/v2", "Zoom REST API base URL")
	maxConnections = flag.Int("zoom_max_connections", 256, "upstream keep-alive connections at most (the gateway's pool)")
	timeout        = flag.Duration("zoom_timeout", 10*time.Second, "upper bound of one Zoom call")
	caFile         = flag.String("zoom_ca_file", "", "PEM CA bundle trusted for an https:// upstream instead of the system's")
	userAgent      = flag.String("user_agent", "go_reference", "User-Agent sent upstream")
)

type server struct {
	pb.UnimplementedLiveStreamServiceServer
	client *http.Client
	base   string
	token  string
}

// settings as the gateway writes them: only the fields that are set, in this order.
type settings struct {
	ActiveSpeakerName *bool   `json:"active_speaker_name,omitempty"`
	DisplayName       *string `json:"display_name,omitempty"`
}

func (s *server) UpdateStatus(ctx context.Context, req *pb.UpdateStatusRequest) (*pb.UpdateStatusResponse, error) {
	var kind, id string
	switch t := req.GetTarget().(type) {
	case *pb.UpdateStatusRequest_WebinarId:
		kind, id = "webinars", t.WebinarId
	case *pb.UpdateStatusRequest_MeetingId:
		kind, id = "meetings", t.MeetingId
	}
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "webinar_id or meeting_id is required")
	}

	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	switch req.GetAction() {
	case pb.LiveStreamAction_LIVE_STREAM_ACTION_START:
		form.WriteField("action", "start")
	case pb.LiveStreamAction_LIVE_STREAM_ACTION_STOP:
		form.WriteField("action", "stop")
	}
	if set := req.GetSettings(); set != nil && (set.ActiveSpeakerName != nil || set.DisplayName != nil) {
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(settings{set.ActiveSpeakerName, set.DisplayName}); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		form.WriteField("settings", strings.TrimSuffix(js.String(), "\n"))
	}
	form.Close()

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	u := s.base + "/" + kind + "/" + url.PathEscape(id) + "/livestream/status"
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPatch, u, &body)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("Content-Type", form.FormDataContentType())
	httpReq.Header.Set("User-Agent", *userAgent)
	httpReq.Header.Set("Authorization", "Bearer "+s.token)

	resp, err := s.client.Do(httpReq)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, status.Error(codes.DeadlineExceeded, "Zoom did not answer in time")
		}
		if errors.Is(err, context.Canceled) {
			return nil, status.Error(codes.Canceled, "cancelled")
		}
		return nil, status.Errorf(codes.Unavailable, "Zoom unreachable: %v", err)
	}
	// Read to the end so the connection goes back to the pool.
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "reading Zoom's answer: %v", err)
	}
	if resp.StatusCode/100 == 2 {
		return &pb.UpdateStatusResponse{TrackingId: resp.Header.Get("x-zm-trackingid")}, nil
	}
	return nil, status.Errorf(httpCode(resp.StatusCode), "Zoom answered HTTP %d: %.200s", resp.StatusCode, answer)
}

// httpCode maps Zoom's HTTP status to a gRPC code.
func httpCode(code int) codes.Code {
	switch {
	case code == http.StatusBadRequest:
		return codes.InvalidArgument
	case code == http.StatusUnauthorized:
		return codes.Unauthenticated
	case code == http.StatusForbidden:
		return codes.PermissionDenied
	case code == http.StatusNotFound:
		return codes.NotFound
	case code == http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case code >= 500:
		return codes.Unavailable
	}
	return codes.Unknown
}

func newClient() (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// The gateway's pool: at most this many connections, all kept alive.
	transport.MaxConnsPerHost = *maxConnections
	transport.MaxIdleConnsPerHost = *maxConnections
	transport.MaxIdleConns = *maxConnections
	transport.Proxy = nil
	// The gateway asks for no compression: no Accept-Encoding header either.
	transport.DisableCompression = true
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return nil, err
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", *caFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	return &http.Client{Transport: transport}, nil
}

func main() {
	flag.Parse()
	token := os.Getenv("ZOOM_ACCESS_TOKEN")
	if token == "" {
		log.Fatal("ZOOM_ACCESS_TOKEN is not set")
	}
	client, err := newClient()
	if err != nil {
		log.Fatalf("--zoom_ca_file: %v", err)
	}
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	grpcServer := grpc.NewServer()
	pb.RegisterLiveStreamServiceServer(grpcServer, &server{
		client: client, base: strings.TrimRight(*baseURL, "/"), token: token})
	if *portFile != "" {
		port := fmt.Sprintf("%d\n", lis.Addr().(*net.TCPAddr).Port)
		if err := os.WriteFile(*portFile+".tmp", []byte(port), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*portFile+".tmp", *portFile); err != nil {
			log.Fatal(err)
		}
	}
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		grpcServer.GracefulStop()
	}()
	if err := grpcServer.Serve(lis); err != nil {
		log.Fatal(err)
	}
}
