package proto

import "testing"

func TestHeaderStatus(t *testing.T) {
	for _, tc := range []struct {
		name, hdr string
		code      int
		desc      string
		nilDesc   bool
	}{
		{"no status", "NATS/1.0\r\n\r\n", 0, "", true},
		{"503", "NATS/1.0 503\r\n\r\n", 503, "", true},
		{"with description", "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\n\r\n", 100, "Idle Heartbeat", false},
		{"extra spaces", "NATS/1.0   408   Request Timeout  \r\n\r\n", 408, "Request Timeout", false},
		{"bare LF", "NATS/1.0 404 No Messages\n\n", 404, "No Messages", false},
		{"short status", "NATS/1.0 50\r\n\r\n", 0, "", true},
		{"non-digit status", "NATS/1.0 5x3\r\n\r\n", 0, "", true},
		{"four digits", "NATS/1.0 5034\r\n\r\n", 503, "4", false},
		{"not a header", "HTTP/1.1 200\r\n\r\n", 0, "", true},
		{"no line end", "NATS/1.0 503", 0, "", true},
		{"empty", "", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, desc := HeaderStatus([]byte(tc.hdr))
			if code != tc.code || string(desc) != tc.desc || (desc == nil) != tc.nilDesc {
				t.Errorf("got %d %q (nil %v), want %d %q (nil %v)", code, desc, desc == nil, tc.code, tc.desc, tc.nilDesc)
			}
		})
	}
}

func TestHeaderGet(t *testing.T) {
	hdr := []byte("NATS/1.0 503\r\nNats-Msg-Id: abc\r\nEmpty:\r\nTabbed:\t\tv \r\nnoColon\r\nNats-Msg-Id: second\r\n\r\nAfter: end\r\n")
	for _, tc := range []struct {
		key, want string
		isNil     bool
	}{
		{"Nats-Msg-Id", "abc", false},
		{"nats-msg-id", "", true}, // case-sensitive, PROTOCOL.md §6
		{"Empty", "", false},
		{"Tabbed", "v ", false},
		{"noColon", "", true},
		{"After", "", true}, // past the blank line
		{"Missing", "", true},
		{"Nats", "", true}, // a prefix of a key is not the key
		{"", "", true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			v := HeaderGet(hdr, tc.key)
			if string(v) != tc.want || (v == nil) != tc.isNil {
				t.Errorf("got %q (nil %v), want %q (nil %v)", v, v == nil, tc.want, tc.isNil)
			}
		})
	}
}

func TestHeaderBuild(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"empty", AppendStatusHeader(nil, 0, ""), "NATS/1.0\r\n\r\n"},
		{"503", AppendStatusHeader(nil, 503, ""), "NATS/1.0 503\r\n\r\n"},
		{"408", AppendStatusHeader(nil, 408, "Request Timeout"), "NATS/1.0 408 Request Timeout\r\n\r\n"},
		{"no responders", AppendHeaderEnd(AppendHeaderField(AppendHeaderStart(nil, 503, ""), "Nats-Subject", []byte("nostream.x"))),
			"NATS/1.0 503\r\nNats-Subject: nostream.x\r\n\r\n"},
		{"fields", AppendHeaderEnd(AppendHeaderField(AppendHeaderField(AppendHeaderStart(nil, 0, ""), "A", "1"), []byte("B"), "2")),
			"NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if string(tc.got) != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	// PROTOCOL.md §7: L = 32 + len(original subject).
	subj := "nostream.x"
	nr := AppendHeaderEnd(AppendHeaderField(AppendHeaderStart(nil, 503, ""), "Nats-Subject", subj))
	if len(nr) != 32+len(subj) {
		t.Errorf("no-responders header is %d bytes, want %d", len(nr), 32+len(subj))
	}
	if code, _ := HeaderStatus(nr); code != 503 || string(HeaderGet(nr, "Nats-Subject")) != subj {
		t.Errorf("read back %d %q", code, HeaderGet(nr, "Nats-Subject"))
	}
}

func TestHeaderReadersDoNotAllocate(t *testing.T) {
	hdr := []byte("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\nNats-Last-Stream: 2\r\n\r\n")
	a := testing.AllocsPerRun(100, func() {
		_, _ = HeaderStatus(hdr)
		_ = HeaderGet(hdr, "Nats-Last-Stream")
	})
	if a != 0 {
		t.Fatalf("%v allocs, want 0", a)
	}
}
