package subject

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	const api = "$JS.API.CONSUMER.CREATE.ORDERS.C1.orders.*.>"
	tests := []struct {
		name string
		s    string
		i    int
		n    int    // NumTokens(s)
		tok  string // Token(s, i)
		from string // TokensFrom(s, i)
	}{
		{"empty", "", 1, 0, "", ""},
		{"single", "foo", 1, 1, "foo", "foo"},
		{"zero index", "foo.bar", 0, 2, "", ""},
		{"negative index", "foo.bar", -1, 2, "", ""},
		{"first", "foo.bar", 1, 2, "foo", "foo.bar"},
		{"last", "foo.bar", 2, 2, "bar", "bar"},
		{"past end", "foo.bar", 3, 2, "", ""},
		{"stream name", "$JS.API.STREAM.INFO.ORDERS", 5, 5, "ORDERS", "ORDERS"},
		{"consumer", api, 6, 9, "C1", "C1.orders.*.>"},
		{"filter", api, 7, 9, "orders", "orders.*.>"},
		{"empty token", "a..b", 2, 3, "", ".b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NumTokens(tt.s); got != tt.n {
				t.Errorf("NumTokens(%q) = %d, want %d", tt.s, got, tt.n)
			}
			if got := Token(tt.s, tt.i); got != tt.tok {
				t.Errorf("Token(%q, %d) = %q, want %q", tt.s, tt.i, got, tt.tok)
			}
			if got := TokensFrom(tt.s, tt.i); got != tt.from {
				t.Errorf("TokensFrom(%q, %d) = %q, want %q", tt.s, tt.i, got, tt.from)
			}
			toks := AppendTokens(nil, tt.s)
			if len(toks) != tt.n {
				t.Errorf("AppendTokens(%q) = %q, want %d tokens", tt.s, toks, tt.n)
			}
			for i, tok := range toks {
				if got := Token(tt.s, i+1); got != tok {
					t.Errorf("Token(%q, %d) = %q, AppendTokens has %q", tt.s, i+1, got, tok)
				}
			}
		})
	}
}

func TestCutPrefix(t *testing.T) {
	tests := []struct {
		name, s, prefix, rest string
		ok                    bool
	}{
		{"api", "$JS.API.STREAM.INFO.X", "$JS.API", "STREAM.INFO.X", true},
		{"equal", "$JS.API", "$JS.API", "", true},
		{"not on boundary", "$JS.APIX.Y", "$JS.API", "", false},
		{"other", "foo.bar", "$JS.API", "", false},
		{"empty prefix", "foo.bar", "", "foo.bar", true},
		{"shorter s", "$JS", "$JS.API", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, ok := CutPrefix(tt.s, tt.prefix)
			if rest != tt.rest || ok != tt.ok {
				t.Errorf("CutPrefix(%q, %q) = %q, %v; want %q, %v", tt.s, tt.prefix, rest, ok, tt.rest, tt.ok)
			}
		})
	}
}

func TestAppendTokensNoAlloc(t *testing.T) {
	buf := make([]string, 0, 16)
	n := testing.AllocsPerRun(100, func() {
		buf = AppendTokens(buf[:0], "$JS.API.STREAM.INFO.ORDERS")
	})
	if n != 0 || !slices.Equal(buf, []string{"$JS", "API", "STREAM", "INFO", "ORDERS"}) {
		t.Errorf("allocs = %v, tokens %q", n, buf)
	}
}
