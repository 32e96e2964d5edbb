// Command livestream-consumer is a program of a team that depends on the
// released Go module github.com/zoom-livestream-gateway/gateway/client/go,
// built outside the repository by scripts/test-go-package.sh. It asks the
// gateway at os.Args[1] to start the live stream of a webinar Zoom does not
// know, over a connection from channel.New (the retry service config on), and
// reads the rich error through package richerr: NOT_FOUND with ErrorInfo reason
// ZOOM_WEBINAR_NOT_FOUND of the gateway's domain. Exit code 0 when it does.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/zoom-livestream-gateway/gateway/client/go/channel"
	"github.com/zoom-livestream-gateway/gateway/client/go/richerr"
	livestreamv1 "github.com/zoom-livestream-gateway/gateway/client/go/zoom/livestream/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s GATEWAY_TARGET\n", os.Args[0])
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
	fmt.Println("consumer: read ZOOM_WEBINAR_NOT_FOUND through the module")
}

func run(target string) error {
	conn, err := channel.New(target, channel.Options{})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = livestreamv1.NewLiveStreamServiceClient(conn).UpdateStatus(ctx, &livestreamv1.UpdateStatusRequest{
		Target: &livestreamv1.UpdateStatusRequest_WebinarId{WebinarId: "12345678901"},
		Action: livestreamv1.LiveStreamAction_LIVE_STREAM_ACTION_START,
	})
	if err == nil {
		return fmt.Errorf("UpdateStatus succeeded; expected NOT_FOUND")
	}
	e, ok := richerr.FromError(err)
	if !ok {
		return fmt.Errorf("not a gRPC status error: %v", err)
	}
	fmt.Printf("%v reason=%s domain=%s zoomCode=%q trackingId set=%t\n",
		e.Code, e.Reason(), e.Domain(), e.ZoomCode(), e.TrackingID() != "")
	if e.Code != codes.NotFound || e.ErrorReason() != livestreamv1.ErrorReason_ZOOM_WEBINAR_NOT_FOUND ||
		e.Domain() != richerr.Domain {
		return fmt.Errorf("expected NOT_FOUND with reason ZOOM_WEBINAR_NOT_FOUND of domain %s", richerr.Domain)
	}
	return nil
}
