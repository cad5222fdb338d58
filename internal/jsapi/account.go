package jsapi

// AccountInfo is the body of the $JS.API.INFO response (JETSTREAM-API.md §6).
// The embedded Tier holds the account totals; Tiers is present only with
// tiered (R1, R3, ...) limits.
type AccountInfo struct {
	Tier
	Domain string          `json:"domain,omitempty"`
	API    APIStats        `json:"api"`
	Tiers  map[string]Tier `json:"tiers,omitempty"`
}

// Tier is the usage and limits of one account tier.
type Tier struct {
	Memory         uint64        `json:"memory"`
	Store          uint64        `json:"storage"`
	ReservedMemory uint64        `json:"reserved_memory"`
	ReservedStore  uint64        `json:"reserved_storage"`
	Streams        int           `json:"streams"`
	Consumers      int           `json:"consumers"`
	Limits         AccountLimits `json:"limits"`
}

// APIStats counts API requests. Level is the API level the server
// implements (ADR-44); clients gate features on it.
type APIStats struct {
	Level    int    `json:"level"`
	Total    uint64 `json:"total"`
	Errors   uint64 `json:"errors"`
	Inflight uint64 `json:"inflight,omitempty"`
}

// AccountLimits are the JetStream limits of an account; -1 means unlimited.
type AccountLimits struct {
	MaxMemory            int64 `json:"max_memory"`
	MaxStore             int64 `json:"max_storage"`
	MaxStreams           int   `json:"max_streams"`
	MaxConsumers         int   `json:"max_consumers"`
	MaxAckPending        int   `json:"max_ack_pending"`
	MemoryMaxStreamBytes int64 `json:"memory_max_stream_bytes"`
	StoreMaxStreamBytes  int64 `json:"storage_max_stream_bytes"`
	MaxBytesRequired     bool  `json:"max_bytes_required"`
}

// AccountInfoResponse is the reply on $JS.API.INFO.
type AccountInfoResponse struct {
	ApiResponse
	*AccountInfo
}

// AccountPurgeResponse is the reply on $JS.API.ACCOUNT.PURGE.<account>
// (system account only).
type AccountPurgeResponse struct {
	ApiResponse
	Initiated bool `json:"initiated,omitempty"`
}
