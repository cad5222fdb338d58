package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// natsClient is the least of the NATS client protocol that `holdfast dlq`
// needs to send requests: CONNECT, SUB on an inbox, PUB, MSG/HMSG and
// PING/PONG, one request at a time. cmd/holdfast may not import a client
// library (deps_test.go), and the requests are few and small.
type natsClient struct {
	conn    net.Conn
	r       *bufio.Reader
	inbox   string
	n       int
	timeout time.Duration
}

// errNoResponders: nobody serves the subject (JetStream is off, or an old server).
var errNoResponders = errors.New("no responders: is JetStream enabled on the server?")

// dialNATS connects to a server URL (nats://[user:pass@]host[:port]).
func dialNATS(rawURL, user, pass string, timeout time.Duration) (*natsClient, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "nats://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", rawURL, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "4222")
	}
	if u.User != nil && user == "" {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	conn, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return nil, err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	c := &natsClient{conn: conn, r: bufio.NewReader(conn), inbox: "_INBOX.hfdlq" + hex.EncodeToString(id[:]), timeout: timeout}
	if err := c.handshake(user, pass); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *natsClient) handshake(user, pass string) error {
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	line, err := c.line()
	if err != nil {
		return fmt.Errorf("reading INFO: %w", err)
	}
	if !strings.HasPrefix(line, "INFO ") {
		return fmt.Errorf("not a NATS server: %q", line)
	}
	connect := map[string]any{"verbose": false, "pedantic": false, "headers": true, "no_responders": true,
		"protocol": 1, "lang": "holdfast-dlq", "version": "1"}
	if user != "" {
		connect["user"], connect["pass"] = user, pass
	}
	b, _ := json.Marshal(connect)
	if _, err := fmt.Fprintf(c.conn, "CONNECT %s\r\nPING\r\nSUB %s.* 1\r\n", b, c.inbox); err != nil {
		return err
	}
	for {
		line, err := c.line()
		switch {
		case err != nil:
			return err
		case line == "PONG":
			return nil
		case strings.HasPrefix(line, "-ERR"):
			return fmt.Errorf("server: %s", strings.TrimSpace(strings.TrimPrefix(line, "-ERR")))
		}
	}
}

func (c *natsClient) line() (string, error) {
	s, err := c.r.ReadString('\n')
	return strings.TrimRight(s, "\r\n"), err
}

// Close ends the connection.
func (c *natsClient) Close() error { return c.conn.Close() }

// request publishes data to subj and returns the reply's payload.
func (c *natsClient) request(subj string, data []byte) ([]byte, error) {
	c.n++
	reply := c.inbox + "." + strconv.Itoa(c.n)
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "PUB %s %s %d\r\n", subj, reply, len(data))
	buf.Write(data)
	buf.WriteString("\r\n")
	if _, err := c.conn.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	for {
		line, err := c.line()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return nil, fmt.Errorf("request %s: timed out", subj)
			}
			return nil, err
		}
		op, args, _ := strings.Cut(line, " ")
		switch op {
		case "PING":
			if _, err := io.WriteString(c.conn, "PONG\r\n"); err != nil {
				return nil, err
			}
		case "-ERR":
			return nil, fmt.Errorf("server: %s", args)
		case "MSG", "HMSG":
			to, hdr, payload, err := c.readMsg(op == "HMSG", strings.Fields(args))
			if err != nil {
				return nil, err
			}
			if to != reply {
				continue // a late reply to an earlier request
			}
			if bytes.HasPrefix(hdr, []byte("NATS/1.0 503")) {
				return nil, errNoResponders
			}
			return payload, nil
		}
	}
}

// readMsg reads the body of MSG <subj> <sid> [reply] <len> or
// HMSG <subj> <sid> [reply] <hdr len> <total len>.
func (c *natsClient) readMsg(withHdr bool, f []string) (subj string, hdr, payload []byte, err error) {
	fields := 3
	if withHdr {
		fields = 4
	}
	if len(f) < fields {
		return "", nil, nil, fmt.Errorf("bad message line %q", f)
	}
	total, err := strconv.Atoi(f[len(f)-1])
	if err != nil || total < 0 {
		return "", nil, nil, fmt.Errorf("bad message size in %q", f)
	}
	hlen := 0
	if withHdr {
		if hlen, err = strconv.Atoi(f[len(f)-2]); err != nil || hlen < 0 || hlen > total {
			return "", nil, nil, fmt.Errorf("bad header size in %q", f)
		}
	}
	body := make([]byte, total+2)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return "", nil, nil, err
	}
	return f[0], body[:hlen], body[hlen:total], nil
}
