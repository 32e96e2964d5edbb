// Package serviceconfig carries the gateway's recommended gRPC service config:
// automatic retries of every LiveStreamService call on UNAVAILABLE only
// (AIP-194), with exponential backoff.
//
// service_config.json here is a copy of client/service_config.json, the one
// every language loads; client/go/generate.sh refreshes it and
// scripts/check-generated.sh fails when the two differ.
package serviceconfig

import (
	_ "embed"

	"google.golang.org/grpc"
)

// JSON is the service config, for grpc.WithDefaultServiceConfig.
//
//go:embed service_config.json
var JSON string

// DialOptions apply JSON as the channel's service config, ignoring any config a
// name resolver might publish (as the other clients of this repository do).
// grpc-go enables retries by default, so nothing else is needed. channel.New
// adds them unless told not to; with grpc.NewClient directly:
//
//	conn, err := grpc.NewClient(target, append(serviceconfig.DialOptions(),
//		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultServiceConfig(JSON), grpc.WithDisableServiceConfig()}
}
