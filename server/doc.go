// Package server assembles holdfast: it owns the client listener, the broker
// and the connections, and shuts them down in order. It is the one exported
// package; cmd/holdfast and tests embed it:
//
//	srv, err := server.New(&server.Options{Host: "127.0.0.1", Port: server.RandomPort})
//	if err != nil { ... }
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Shutdown(context.Background())
//	nc, err := nats.Connect(srv.ClientURL())
package server
