// Package channel opens a connection to the gateway the way every client of
// this repository does: with the retry service config (package serviceconfig:
// UNAVAILABLE only, at most 3 attempts, exponential backoff from 0.2s to 2s)
// and the transport and call credentials of package security.
//
//	conn, err := channel.New("gateway:50051", channel.Options{})  // plaintext, retries on
//	conn, err := channel.New("gateway:50051", channel.Options{
//		Security: security.Options{CAFile: "ca.crt", BearerToken: token},
//	})
//	client := livestreamv1.NewLiveStreamServiceClient(conn)
package channel

import (
	"google.golang.org/grpc"

	"github.com/zoom-livestream-gateway/gateway/client/go/security"
	"github.com/zoom-livestream-gateway/gateway/client/go/serviceconfig"
)

// Options selects the connection's security and whether calls are retried.
// The zero value is plaintext with the retry service config.
type Options struct {
	// Security is TLS, mTLS and the bearer token (security.DialOptions).
	Security security.Options
	// NoServiceConfig leaves serviceconfig.JSON out, so no call is retried
	// (unless the name resolver publishes a service config of its own).
	NoServiceConfig bool
}

// New returns a client connection to target ("host:port" or any grpc-go
// target). extra dial options come last, so they can override the others.
// Like grpc.NewClient it does not connect until the first call.
func New(target string, o Options, extra ...grpc.DialOption) (*grpc.ClientConn, error) {
	opts, err := security.DialOptions(o.Security)
	if err != nil {
		return nil, err
	}
	if !o.NoServiceConfig {
		opts = append(serviceconfig.DialOptions(), opts...)
	}
	return grpc.NewClient(target, append(opts, extra...)...)
}
