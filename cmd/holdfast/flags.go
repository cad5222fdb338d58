package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/holdfast-mq/holdfast/server"
)

var errHelp = errors.New("help requested")

// flags are the command line, before merging with a configuration file.
type flags struct {
	set *flag.FlagSet

	config, host, name, storeDir, user, pass, token, logFile string
	port, httpPort, maxPayload                               int
	jetstream, debug, trace, debugTrace, version             bool
}

// parseFlags reads nats-server's common flags. Go's flag package accepts both
// -p and --p, so each short and long name is registered on the same variable.
func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{set: flag.NewFlagSet("holdfast", flag.ContinueOnError)}
	fs := f.set
	fs.SetOutput(stderr)
	str := func(p *string, usage string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, "", usage)
		}
	}
	num := func(p *int, usage string, names ...string) {
		for _, n := range names {
			fs.IntVar(p, n, 0, usage)
		}
	}
	boolean := func(p *bool, usage string, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, false, usage)
		}
	}
	str(&f.config, "configuration file", "c", "config")
	str(&f.host, "client listen address (default 0.0.0.0)", "a", "addr", "net")
	num(&f.port, "client port (default 4222, -1 for random)", "p", "port")
	num(&f.httpPort, "HTTP monitoring port", "m", "http_port")
	str(&f.name, "server name", "n", "name", "server_name")
	boolean(&f.jetstream, "enable JetStream", "js", "jetstream")
	str(&f.storeDir, "JetStream store directory", "sd", "store_dir")
	str(&f.user, "user required for connections", "user")
	str(&f.pass, "password required for connections", "pass")
	str(&f.token, "authorization token required for connections", "auth")
	boolean(&f.debug, "enable debug logging", "D", "debug")
	boolean(&f.trace, "trace the raw protocol", "V", "trace")
	boolean(&f.debugTrace, "debug and trace", "DV")
	str(&f.logFile, "log file", "l", "log")
	num(&f.maxPayload, "maximum message payload in bytes", "max_payload")
	boolean(&f.version, "show version", "v", "version")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: holdfast [options]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

// options reads the configuration file, if any, then applies the flags that
// were given on the command line over it.
func (f *flags) options() (*server.Options, error) {
	o := &server.Options{}
	if f.config != "" {
		var err error
		if o, err = server.ConfigFile(f.config); err != nil {
			return nil, err
		}
	}
	var err error
	f.set.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "a", "addr", "net":
			o.Host = f.host
		case "p", "port":
			o.Port = f.port
		case "m", "http_port":
			o.HTTPPort = f.httpPort
		case "n", "name", "server_name":
			o.ServerName = f.name
		case "js", "jetstream":
			o.JetStream = f.jetstream
		case "sd", "store_dir":
			o.StoreDir = f.storeDir
		case "user":
			o.Username = f.user
		case "pass":
			o.Password = f.pass
		case "auth":
			o.Token = f.token
		case "D", "debug":
			o.Debug = f.debug
		case "V", "trace":
			o.Trace = f.trace
		case "DV":
			o.Debug, o.Trace = f.debugTrace, f.debugTrace
		case "l", "log":
			o.LogFile = f.logFile
		case "max_payload":
			if f.maxPayload <= 0 {
				err = fmt.Errorf("max_payload must be positive")
			}
			o.MaxPayload = int32(min(f.maxPayload, 1<<31-1))
		}
	})
	return o, err
}
