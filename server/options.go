package server

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/holdfast-mq/holdfast/internal/auth"
)

// DefaultSystemAccount is the system account's name when the configuration
// names none, as nats-server's.
const DefaultSystemAccount = "$SYS"

// Port values with a special meaning.
const (
	DefaultPort     = 4222
	DefaultHTTPPort = 8222
	// RandomPort asks the operating system for a free port, as nats-server's -1.
	RandomPort = -1
)

// Options configure a Server. The zero value serves on 0.0.0.0:4222.
type Options struct {
	ConfigFile string // where the options came from, for logs

	Host       string // default 0.0.0.0
	Port       int    // 0: DefaultPort; RandomPort: any free port
	HTTPPort   int    // monitoring; 0: off (monitoring arrives with its own issue)
	ServerName string

	MaxPayload     int32 // default 1 MiB
	MaxControlLine int32 // default 4096
	MaxPending     int64 // per-connection outbound bytes before slow consumer; default 64 MiB
	MaxConn        int   // default 65536
	PingInterval   time.Duration
	MaxPingsOut    int
	WriteDeadline  time.Duration
	AuthTimeout    time.Duration

	// JetStream settings are parsed and kept; the JetStream subsystem itself
	// arrives with its own issue, and until then INFO does not announce it.
	JetStream      bool
	StoreDir       string
	MaxMemoryStore int64
	MaxFileStore   int64
	// SyncInterval 0 means fsync before every acknowledgement (group commit),
	// holdfast's default; a positive duration is nats-server's periodic sync.
	SyncInterval time.Duration
	Domain       string

	// Authorization: a single user, a token, or a list of users.
	Username string
	Password string
	Token    string
	Users    []auth.User

	// SystemAccount names the system account ("system_account", default
	// DefaultSystemAccount); SystemUsers are its users. They authenticate
	// like Users and are the only clients whose requests reach the $SYS
	// services (docs/monitoring.md); none means nobody can use them.
	SystemAccount string
	SystemUsers   []auth.User
	accounts      []declaredAccount // the accounts block while the configuration is read

	Debug   bool
	Trace   bool
	LogFile string
	// Logger, when set, is used instead of one built from Debug and LogFile.
	Logger *slog.Logger
	// Failpoint, when set, is called at named points between the steps of
	// multi-step operations (docs/testing.md); crash tests kill the process
	// there. Nil in production.
	Failpoint func(name string)
}

// DefaultStoreDir is where JetStream keeps data when no store_dir is given:
// $XDG_DATA_HOME/holdfast, or ~/.local/share/holdfast, or ./holdfast-data.
func DefaultStoreDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "holdfast")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "holdfast")
	}
	return "holdfast-data"
}

func (o *Options) setDefaults() {
	if o.Host == "" {
		o.Host = "0.0.0.0"
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = 1 << 20
	}
	if o.MaxControlLine <= 0 {
		o.MaxControlLine = 4096
	}
	if o.MaxConn <= 0 {
		o.MaxConn = 65536
	}
	if o.StoreDir == "" {
		o.StoreDir = DefaultStoreDir()
	}
	if o.SystemAccount == "" {
		o.SystemAccount = DefaultSystemAccount
	}
}

func (o *Options) authConfig() *auth.Config {
	cfg := &auth.Config{Token: o.Token, Users: append([]auth.User(nil), o.Users...)}
	if o.Username != "" {
		cfg.Users = append(cfg.Users, auth.User{Name: o.Username, Password: o.Password})
	}
	for _, u := range o.SystemUsers {
		u.System = true
		cfg.Users = append(cfg.Users, u)
	}
	return cfg
}
