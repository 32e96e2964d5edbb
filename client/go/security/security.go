// Package security builds the transport and call credentials for the
// gateway: TLS with a CA file or the system roots, an optional client
// certificate for mTLS, and a bearer token sent as "authorization: Bearer
// <token>" on every call.
//
//	opts, err := security.DialOptions(security.Options{
//		CAFile: "ca.crt", CertFile: "client.crt", KeyFile: "client.key",
//		BearerToken: token,
//	})
//	conn, err := grpc.NewClient(target, append(serviceconfig.DialOptions(), opts...)...)
//
// channel.New does both: channel.New(target, channel.Options{Security: o}).
//
// The token's credentials require transport security, so grpc-go refuses to
// send it over a plaintext connection; AllowInsecureBearerToken lifts that for
// a plaintext hop that stays on the host (a sidecar terminating TLS).
package security

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// Options selects the channel's security. The zero value is plaintext
// without a token.
type Options struct {
	// TLS turns TLS on with the system roots; any of the file fields implies it.
	TLS bool
	// CAFile is the PEM bundle the gateway's certificate chains to (empty: system roots).
	CAFile string
	// CertFile and KeyFile are the PEM client certificate and key for mTLS; both or neither.
	CertFile, KeyFile string
	// BearerToken, when set, is sent as "authorization: Bearer <token>" on every call.
	BearerToken string
	// AllowInsecureBearerToken permits BearerToken on a plaintext connection.
	AllowInsecureBearerToken bool
}

func (o Options) usesTLS() bool {
	return o.TLS || o.CAFile != "" || o.CertFile != "" || o.KeyFile != ""
}

// DialOptions returns the transport credentials and, with a token, the call
// credentials for grpc.NewClient. It reads the files at once; errors name the
// file, never the token.
func DialOptions(o Options) ([]grpc.DialOption, error) {
	transport := insecure.NewCredentials()
	if o.usesTLS() {
		var err error
		if transport, err = TLSCredentials(o.CAFile, o.CertFile, o.KeyFile); err != nil {
			return nil, err
		}
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(transport)}
	if o.BearerToken == "" {
		return opts, nil
	}
	if !o.usesTLS() && !o.AllowInsecureBearerToken {
		return nil, errors.New("a bearer token needs TLS; set AllowInsecureBearerToken only for a plaintext hop that stays on this host")
	}
	return append(opts, grpc.WithPerRPCCredentials(BearerToken(o.BearerToken, !o.AllowInsecureBearerToken))), nil
}

// TLSCredentials trusts caFile (PEM; empty: the system roots) and, when
// certFile and keyFile are given, presents that client certificate (mTLS).
func TLSCredentials(caFile, certFile, keyFile string) (credentials.TransportCredentials, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("the client certificate and key files go together (mTLS)")
	}
	config := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		config.RootCAs = x509.NewCertPool()
		if !config.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
		}
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s with key %s: %w", certFile, keyFile, err)
		}
		config.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(config), nil
}

// ReadBearerTokenFile returns the token in path without surrounding
// whitespace; an empty file is an error.
func ReadBearerTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("bearer token file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("bearer token file %s is empty", path)
	}
	return token, nil
}

// BearerToken returns call credentials that send "authorization: Bearer
// <token>". With requireTLS, grpc-go refuses them on a connection without
// transport security.
func BearerToken(token string, requireTLS bool) credentials.PerRPCCredentials {
	return bearerToken{header: "Bearer " + token, requireTLS: requireTLS}
}

type bearerToken struct {
	header     string
	requireTLS bool
}

func (b bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": b.header}, nil
}

func (b bearerToken) RequireTransportSecurity() bool { return b.requireTLS }

// String and GoString keep the token out of logs and %v/%#v output.
func (b bearerToken) String() string   { return "bearerToken(<redacted>)" }
func (b bearerToken) GoString() string { return b.String() }
