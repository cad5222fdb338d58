package server

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast-mq/holdfast/internal/auth"
	"github.com/holdfast-mq/holdfast/internal/conf"
)

// ConfigFile reads a configuration file in nats-server's syntax into Options.
// Keys holdfast does not know are an error naming the key and its position,
// so a typo never passes silently.
func ConfigFile(path string) (*Options, error) {
	m, err := conf.ParseFile(path)
	if err != nil {
		return nil, err
	}
	o := &Options{ConfigFile: path}
	if err := applyBlock(o, m, topKeys); err != nil {
		return nil, err
	}
	if err := o.takeAccounts(); err != nil {
		return nil, err
	}
	return o, nil
}

// keyFunc applies one configuration value to the options.
type keyFunc func(o *Options, v conf.Value) error

// topKeys are the top-level keys; aliases are those nats-server accepts.
var topKeys = map[string]keyFunc{
	"port":             intKey(func(o *Options, n int64) { o.Port = int(n) }),
	"host":             strKey(func(o *Options, s string) { o.Host = s }),
	"net":              strKey(func(o *Options, s string) { o.Host = s }),
	"listen":           listenKey,
	"http_port":        intKey(func(o *Options, n int64) { o.HTTPPort = int(n) }),
	"monitor_port":     intKey(func(o *Options, n int64) { o.HTTPPort = int(n) }),
	"server_name":      strKey(func(o *Options, s string) { o.ServerName = s }),
	"max_payload":      intKey(func(o *Options, n int64) { o.MaxPayload = int32(min(n, 1<<31-1)) }),
	"max_control_line": intKey(func(o *Options, n int64) { o.MaxControlLine = int32(min(n, 1<<31-1)) }),
	"max_pending":      intKey(func(o *Options, n int64) { o.MaxPending = n }),
	"max_connections":  intKey(func(o *Options, n int64) { o.MaxConn = int(n) }),
	"max_conn":         intKey(func(o *Options, n int64) { o.MaxConn = int(n) }),
	"ping_interval":    durKey(func(o *Options, d time.Duration) { o.PingInterval = d }),
	"ping_max":         intKey(func(o *Options, n int64) { o.MaxPingsOut = int(n) }),
	"write_deadline":   durKey(func(o *Options, d time.Duration) { o.WriteDeadline = d }),
	"debug":            boolKey(func(o *Options, b bool) { o.Debug = b }),
	"trace":            boolKey(func(o *Options, b bool) { o.Trace = b }),
	"logfile":          strKey(func(o *Options, s string) { o.LogFile = s }),
	"log_file":         strKey(func(o *Options, s string) { o.LogFile = s }),
	"jetstream":        jetstreamKey,
	"authorization":    authorizationKey,
	"accounts":         accountsKey,
	"system_account":   strKey(func(o *Options, s string) { o.SystemAccount = s }),
	"system":           strKey(func(o *Options, s string) { o.SystemAccount = s }),
}

var jetstreamKeys = map[string]keyFunc{
	"store_dir":        strKey(func(o *Options, s string) { o.StoreDir = s }),
	"store":            strKey(func(o *Options, s string) { o.StoreDir = s }),
	"max_memory_store": intKey(func(o *Options, n int64) { o.MaxMemoryStore = n }),
	"max_mem":          intKey(func(o *Options, n int64) { o.MaxMemoryStore = n }),
	"max_file_store":   intKey(func(o *Options, n int64) { o.MaxFileStore = n }),
	"max_file":         intKey(func(o *Options, n int64) { o.MaxFileStore = n }),
	"sync_interval":    syncIntervalKey,
	"sync":             syncIntervalKey,
	"domain":           strKey(func(o *Options, s string) { o.Domain = s }),
	"enabled":          boolKey(func(o *Options, b bool) { o.JetStream = b }),
	"enable":           boolKey(func(o *Options, b bool) { o.JetStream = b }),
}

var authorizationKeys = map[string]keyFunc{
	"user":     strKey(func(o *Options, s string) { o.Username = s }),
	"username": strKey(func(o *Options, s string) { o.Username = s }),
	"password": strKey(func(o *Options, s string) { o.Password = s }),
	"pass":     strKey(func(o *Options, s string) { o.Password = s }),
	"token":    strKey(func(o *Options, s string) { o.Token = s }),
	"timeout":  secondsKey(func(o *Options, d time.Duration) { o.AuthTimeout = d }),
	"users":    usersKey,
}

// keyError is a configuration error that names its key.
type keyError struct{ msg string }

func (e *keyError) Error() string { return e.msg }

func applyBlock(o *Options, m conf.Map, keys map[string]keyFunc) error {
	for _, k := range m.Keys() {
		v := m[k]
		fn, ok := keys[strings.ToLower(k)]
		if !ok {
			return &keyError{fmt.Sprintf("%s: unknown configuration key %q", linePos(v), k)}
		}
		if err := fn(o, v); err != nil {
			var ke *keyError
			if errors.As(err, &ke) {
				return err // a nested block already named its key
			}
			return &keyError{fmt.Sprintf("%v (key %q)", err, k)}
		}
	}
	return nil
}

// linePos is "file:line" of a value: keys and values share a line.
func linePos(v conf.Value) string {
	if v.File == "" {
		return fmt.Sprintf("line %d", v.Line)
	}
	return fmt.Sprintf("%s:%d", v.File, v.Line)
}

func strKey(set func(*Options, string)) keyFunc {
	return func(o *Options, v conf.Value) error {
		s, err := v.Str()
		if err == nil {
			set(o, s)
		}
		return err
	}
}

func intKey(set func(*Options, int64)) keyFunc {
	return func(o *Options, v conf.Value) error {
		n, err := v.Int()
		if err == nil {
			set(o, n)
		}
		return err
	}
}

func boolKey(set func(*Options, bool)) keyFunc {
	return func(o *Options, v conf.Value) error {
		b, err := v.Bool()
		if err == nil {
			set(o, b)
		}
		return err
	}
}

func durKey(set func(*Options, time.Duration)) keyFunc {
	return func(o *Options, v conf.Value) error {
		d, err := v.Duration()
		if err == nil {
			set(o, d)
		}
		return err
	}
}

// secondsKey reads nats-server's authorization timeout: a number of seconds
// (fractions allowed) or a duration string.
func secondsKey(set func(*Options, time.Duration)) keyFunc {
	return func(o *Options, v conf.Value) error {
		if f, ok := v.V.(float64); ok {
			set(o, time.Duration(f*float64(time.Second)))
			return nil
		}
		return durKey(set)(o, v)
	}
}

func listenKey(o *Options, v conf.Value) error {
	s, err := v.Str()
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%s: listen %q: %w", v.Pos(), s, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("%s: listen %q: bad port", v.Pos(), s)
	}
	o.Host, o.Port = host, n
	return nil
}

// jetstreamKey accepts `jetstream: enabled|disabled|true|false` or a block.
func jetstreamKey(o *Options, v conf.Value) error {
	switch x := v.V.(type) {
	case bool:
		o.JetStream = x
		return nil
	case string:
		switch strings.ToLower(x) {
		case "enabled", "enable":
			o.JetStream = true
			return nil
		case "disabled", "disable":
			o.JetStream = false
			return nil
		}
		return fmt.Errorf("%s: jetstream: want enabled, disabled or a block, have %q", v.Pos(), x)
	}
	m, err := v.Map()
	if err != nil {
		return err
	}
	o.JetStream = true
	return applyBlock(o, m, jetstreamKeys)
}

// syncIntervalKey reads `sync_interval: always` (fsync before every ack, the
// default here) or a duration (nats-server's periodic sync).
func syncIntervalKey(o *Options, v conf.Value) error {
	if s, ok := v.V.(string); ok && strings.EqualFold(s, "always") {
		o.SyncInterval = 0
		return nil
	}
	d, err := v.Duration()
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("%s: sync_interval must be positive or \"always\"", v.Pos())
	}
	o.SyncInterval = d
	return nil
}

func authorizationKey(o *Options, v conf.Value) error {
	m, err := v.Map()
	if err != nil {
		return err
	}
	return applyBlock(o, m, authorizationKeys)
}

func usersKey(o *Options, v conf.Value) error {
	arr, err := v.Array()
	if err != nil {
		return err
	}
	for _, item := range arr {
		m, err := item.Map()
		if err != nil {
			return err
		}
		var u auth.User
		for _, k := range m.Keys() {
			f := m[k]
			var s string
			if s, err = f.Str(); err != nil {
				return err
			}
			switch strings.ToLower(k) {
			case "user", "username":
				u.Name = s
			case "password", "pass":
				u.Password = s
			default:
				return &keyError{fmt.Sprintf("%s: unknown configuration key %q in users", linePos(f), k)}
			}
		}
		if u.Name == "" {
			return fmt.Errorf("%s: user without a name", item.Pos())
		}
		o.Users = append(o.Users, u)
	}
	return nil
}

// accountsKey reads `accounts { NAME: { users: [...] } }`. holdfast has one
// account for clients, so the only account that may be declared is the
// system account; which one that is is known once the whole file is read
// (takeAccounts).
func accountsKey(o *Options, v conf.Value) error {
	m, err := v.Map()
	if err != nil {
		return err
	}
	for _, name := range m.Keys() {
		acc := m[name]
		block, err := acc.Map()
		if err != nil {
			return err
		}
		var users Options // collects the users block
		for _, k := range block.Keys() {
			if strings.ToLower(k) != "users" {
				return &keyError{fmt.Sprintf("%s: unknown configuration key %q in account %q", linePos(block[k]), k, name)}
			}
			if err := usersKey(&users, block[k]); err != nil {
				return err
			}
		}
		o.accounts = append(o.accounts, declaredAccount{name: name, pos: linePos(acc), users: users.Users})
	}
	return nil
}

// declaredAccount is an entry of the accounts block, kept until the system
// account's name is known.
type declaredAccount struct {
	name, pos string
	users     []auth.User
}

// takeAccounts moves the system account's users to SystemUsers and refuses
// any other account: holdfast has a single client account, and silently
// merging accounts would drop their isolation.
func (o *Options) takeAccounts() error {
	sys := cmp.Or(o.SystemAccount, DefaultSystemAccount)
	for _, a := range o.accounts {
		if a.name != sys {
			return &keyError{fmt.Sprintf("%s: account %q: holdfast has a single client account; only the system account (%q) may be declared", a.pos, a.name, sys)}
		}
		o.SystemUsers = append(o.SystemUsers, a.users...)
	}
	o.accounts = nil
	return nil
}
