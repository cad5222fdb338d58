// Command holdfast runs the holdfast server. It accepts nats-server's common
// flags; a configuration file (-c) is read first and flags override it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/holdfast-mq/holdfast/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "dlq" {
		return runDLQ(args[1:], stdout, stderr) // dlq.go: a client, not the server
	}
	fl, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "holdfast:", err)
		return 2
	}
	if fl.version {
		fmt.Fprintf(stdout, "holdfast version %s (nats-server %s compatible)\n", server.Version, server.CompatVersion)
		return 0
	}
	opts, err := fl.options()
	if err != nil {
		fmt.Fprintln(stderr, "holdfast:", err)
		return 1
	}
	logger, closeLog, err := newLogger(opts, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "holdfast:", err)
		return 1
	}
	defer closeLog()
	opts.Logger = logger
	opts.Failpoint = failpoints(os.Getenv("HOLDFAST_FAILPOINTS"), logger)

	srv, err := server.New(opts)
	if err == nil {
		err = srv.Start()
	}
	if err != nil {
		logger.Error("server failed to start", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	stop()
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("shutdown incomplete", "error", err)
		return 1
	}
	return 0
}

// newLogger logs text to stderr, or to the log file, at info (debug with -D or -V).
func newLogger(o *server.Options, stderr io.Writer) (*slog.Logger, func(), error) {
	w, closeFn := stderr, func() {}
	if o.LogFile != "" {
		f, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		w, closeFn = f, func() { _ = f.Close() }
	}
	level := slog.LevelInfo
	if o.Debug || o.Trace {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), closeFn, nil
}
