package test

import (
	"strings"
	"testing"

	"github.com/holdfast-mq/holdfast/internal/servertest"
	"github.com/holdfast-mq/holdfast/server"
)

// TestJetStreamServerLimits checks max_file_store / max_memory_store. The
// codes were recorded from nats-server 2.15.2 with the same limits;
// servertest does not pass them to nats-server, so this runs in process.
func TestJetStreamServerLimits(t *testing.T) {
	if servertest.External() {
		t.Skip("servertest does not pass storage limits to nats-server")
	}
	s := jsServer(t, func(o *server.Options) { o.MaxFileStore, o.MaxMemoryStore = 20000, 20000 })
	nc := connect(t, s)
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.CREATE.F", `{"name":"F","max_bytes":30000}`), 10047,
		"insufficient storage resources available")
	wantAPIError(t, request(t, nc, "$JS.API.STREAM.CREATE.M", `{"name":"M","storage":"memory","max_bytes":30000}`), 10028,
		"insufficient memory resources available")
	wantOK(t, request(t, nc, "$JS.API.STREAM.CREATE.L", `{"name":"L"}`))
	payload := strings.Repeat("x", 1000)
	for i := range 30 {
		got := pubRaw(t, nc, "L", payload, nil)
		if strings.Contains(got, `"error"`) {
			if want := `{"error":{"code":503,"err_code":10023,"description":"insufficient resources"},"stream":"L","seq":0}`; got != want || i < 19 {
				t.Fatalf("publish %d: %s", i, got)
			}
			return
		}
	}
	t.Fatal("server storage limit never enforced")
}
