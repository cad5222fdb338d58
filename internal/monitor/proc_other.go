//go:build !linux

package monitor

// residentMemory falls back to the memory the Go runtime obtained from the OS.
func residentMemory() int64 { return goMemory() }
