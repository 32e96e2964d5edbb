package integration

import (
	"testing"

	"github.com/zoom-livestream-gateway/gateway/client/go/internal/teststack"
)

func TestMain(m *testing.M) { teststack.Main(m) }
