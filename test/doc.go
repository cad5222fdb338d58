// Package test holds holdfast's black-box tests: they drive a server started
// by internal/servertest with the official nats.go client and with raw TCP
// sockets. Run them against nats-server with `make test-compat`.
package test
