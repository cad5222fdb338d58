package monitor

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// cpuSampler turns the runtime's cumulative CPU time into a percentage of one
// core over the interval since the previous /varz, as nats-server's cpu field.
type cpuSampler struct {
	mu      sync.Mutex
	lastAt  time.Time
	lastCPU float64 // seconds
	last    float64 // the previous result, repeated for requests closer than 1 s
}

func (c *cpuSampler) percent(now time.Time) float64 {
	// The runtime reports CPU time available to Go (GOMAXPROCS × wall time)
	// and how much of it was idle; the rest was used.
	sample := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64 || sample[1].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	used := sample[0].Value.Float64() - sample[1].Value.Float64()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastAt.IsZero() {
		c.lastAt, c.lastCPU = now, used
		return 0
	}
	if elapsed := now.Sub(c.lastAt).Seconds(); elapsed >= 1 {
		c.last = max(0, 100*(used-c.lastCPU)/elapsed)
		c.lastAt, c.lastCPU = now, used
	}
	return c.last
}

func goMemory() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
