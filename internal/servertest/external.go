package servertest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holdfast-mq/holdfast/server"
)

// external is a nats-server process started for a comparison run.
type external struct {
	cmd      *exec.Cmd
	url      string
	httpPort int // monitoring port, 0 when off
	done     chan struct{}
}

func startExternal(t testing.TB, bin string, o server.Options) *external {
	t.Helper()
	port := o.Port
	if port == server.RandomPort || port == 0 {
		port = freePort(t)
	}
	if o.HTTPPort == server.RandomPort {
		o.HTTPPort = freePort(t)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(cfg, []byte(natsConfig(o, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = t.Output()
	if err := cmd.Start(); err != nil {
		t.Fatalf("servertest: start %s: %v", bin, err)
	}
	e := &external{cmd: cmd, url: fmt.Sprintf("nats://127.0.0.1:%d", port), httpPort: max(o.HTTPPort, 0), done: make(chan struct{})}
	ready := make(chan struct{})
	// nats-server logs "Server is ready" once it accepts clients; copy its log
	// to the test output and watch for that line.
	go func() {
		signal := ready
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(t.Output(), line)
			if signal != nil && strings.Contains(line, "Server is ready") {
				close(signal)
				signal = nil
			}
		}
		_ = cmd.Wait()
		close(e.done)
	}()
	t.Cleanup(e.stop)
	select {
	case <-ready:
		return e
	case <-e.done:
		t.Fatalf("servertest: %s exited before it was ready", bin)
	case <-time.After(30 * time.Second):
		t.Fatalf("servertest: %s not ready after 30s", bin)
	}
	return nil
}

func (e *external) stop() {
	select {
	case <-e.done:
		return
	default:
	}
	_ = e.cmd.Process.Signal(os.Interrupt)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// natsConfig renders the options nats-server understands.
func natsConfig(o server.Options, port int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "host: %q\nport: %d\n", o.Host, port)
	if o.HTTPPort > 0 {
		fmt.Fprintf(&b, "http_port: %d\n", o.HTTPPort)
	}
	if o.ServerName != "" {
		fmt.Fprintf(&b, "server_name: %q\n", o.ServerName)
	}
	if o.MaxPayload > 0 {
		fmt.Fprintf(&b, "max_payload: %d\n", o.MaxPayload)
	}
	if o.MaxPending > 0 {
		fmt.Fprintf(&b, "max_pending: %d\n", o.MaxPending)
		if o.MaxPayload == 0 && o.MaxPending < 1<<20 {
			// nats-server refuses max_payload > max_pending.
			fmt.Fprintf(&b, "max_payload: %d\n", o.MaxPending)
		}
	}
	if o.PingInterval > 0 {
		fmt.Fprintf(&b, "ping_interval: %q\n", o.PingInterval.String())
	}
	if o.MaxPingsOut > 0 {
		fmt.Fprintf(&b, "ping_max: %d\n", o.MaxPingsOut)
	}
	if o.WriteDeadline > 0 {
		fmt.Fprintf(&b, "write_deadline: %q\n", o.WriteDeadline.String())
	}
	if o.MaxConn > 0 {
		fmt.Fprintf(&b, "max_connections: %d\n", o.MaxConn)
	}
	if o.Username != "" || o.Token != "" || len(o.Users) > 0 || o.AuthTimeout > 0 {
		b.WriteString("authorization {\n")
		if o.Username != "" {
			fmt.Fprintf(&b, "  user: %q\n  password: %q\n", o.Username, o.Password)
		}
		if o.Token != "" {
			fmt.Fprintf(&b, "  token: %q\n", o.Token)
		}
		if o.AuthTimeout > 0 {
			fmt.Fprintf(&b, "  timeout: %g\n", o.AuthTimeout.Seconds())
		}
		if len(o.Users) > 0 {
			b.WriteString("  users: [\n")
			for _, u := range o.Users {
				fmt.Fprintf(&b, "    {user: %q, password: %q}\n", u.Name, u.Password)
			}
			b.WriteString("  ]\n")
		}
		b.WriteString("}\n")
	}
	if len(o.SystemUsers) > 0 {
		sys := o.SystemAccount
		if sys == "" {
			sys = server.DefaultSystemAccount
		}
		fmt.Fprintf(&b, "system_account: %q\naccounts {\n  %q: { users: [\n", sys, sys)
		for _, u := range o.SystemUsers {
			fmt.Fprintf(&b, "    {user: %q, password: %q}\n", u.Name, u.Password)
		}
		b.WriteString("  ] }\n}\n")
	}
	if o.JetStream {
		fmt.Fprintf(&b, "jetstream {\n  store_dir: %q\n}\n", o.StoreDir)
	}
	return b.String()
}
