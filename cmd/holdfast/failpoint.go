package main

import (
	"log/slog"
	"os"
	"strings"
)

// failpoints builds the server's Failpoint hook from HOLDFAST_FAILPOINTS, a
// comma-separated list of point names: reaching one of them kills the
// process with SIGKILL, as a power cut or kill -9 would, so that crash
// tests can stop the server between two steps of an operation. Empty (the
// normal case) means no hook.
func failpoints(spec string, log *slog.Logger) func(string) {
	if spec == "" {
		return nil
	}
	armed := map[string]bool{}
	for _, name := range strings.Split(spec, ",") {
		if name = strings.TrimSpace(name); name != "" {
			armed[name] = true
		}
	}
	log.Warn("failpoints armed: the process kills itself when it reaches one", "failpoints", spec)
	return func(name string) {
		if armed[name] {
			log.Warn("failpoint reached, killing the process", "failpoint", name)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Kill() // SIGKILL on Unix
			}
			select {} // the signal is on its way
		}
	}
}
