package monitor

import (
	"bytes"
	"os"
	"strconv"
)

// residentMemory is the process's resident set size in bytes, which
// nats-server reports as /varz mem.
func residentMemory() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return goMemory()
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return goMemory()
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return goMemory()
	}
	return pages * int64(os.Getpagesize())
}
