package serviceconfig

import (
	"encoding/json"
	"slices"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func TestRetriesOnlyUnavailable(t *testing.T) {
	var cfg struct {
		MethodConfig []struct {
			Name []struct {
				Service string `json:"service"`
			} `json:"name"`
			RetryPolicy struct {
				MaxAttempts          int      `json:"maxAttempts"`
				RetryableStatusCodes []string `json:"retryableStatusCodes"`
			} `json:"retryPolicy"`
		} `json:"methodConfig"`
	}
	if err := json.Unmarshal([]byte(JSON), &cfg); err != nil {
		t.Fatalf("service_config.json: %v", err)
	}
	if len(cfg.MethodConfig) != 1 || len(cfg.MethodConfig[0].Name) != 1 ||
		cfg.MethodConfig[0].Name[0].Service != "zoom.livestream.v1.LiveStreamService" {
		t.Fatalf("methodConfig does not target LiveStreamService: %+v", cfg.MethodConfig)
	}
	rp := cfg.MethodConfig[0].RetryPolicy
	if !slices.Equal(rp.RetryableStatusCodes, []string{"UNAVAILABLE"}) {
		t.Errorf("retryableStatusCodes = %v; want [UNAVAILABLE]", rp.RetryableStatusCodes)
	}
	if rp.MaxAttempts < 2 {
		t.Errorf("maxAttempts = %d; want >= 2", rp.MaxAttempts)
	}
}

func TestGRPCAcceptsConfig(t *testing.T) {
	// grpc.NewClient parses the default service config eagerly and rejects an
	// invalid one, without connecting.
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:1",
		append(DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatalf("grpc.NewClient with the service config: %v", err)
	}
	conn.Close()
	// The same call must fail on a broken config, or the check above proves nothing.
	if conn, err := grpc.NewClient("passthrough:///127.0.0.1:1",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{"methodConfig": 1}`)); err == nil {
		conn.Close()
		t.Fatal("grpc.NewClient accepted an invalid service config")
	}
}
