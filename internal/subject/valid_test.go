package subject

import "testing"

func TestValid(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		sub, lit    bool // ValidSubject, ValidLiteral
		queue, wild bool // ValidQueue, HasWildcard
	}{
		{"empty", "", false, false, false, false},
		{"one token", "foo", true, true, true, false},
		{"three tokens", "foo.bar.baz", true, true, true, false},
		{"dollar prefix", "$JS.API.STREAM.INFO.ORDERS", true, true, true, false},
		{"inbox", "_INBOX.abc.1", true, true, true, false},
		{"star alone", "*", true, false, true, true},
		{"gt alone", ">", true, false, true, true},
		{"star middle", "foo.*.bar", true, false, true, true},
		{"gt last", "foo.*.>", true, false, true, true},
		{"gt not last", "foo.>.bar", false, false, true, true},
		{"gt first of two", ">.foo", false, false, true, true},
		{"star in token", "foo.a*b", true, true, true, false},
		{"gt in token", "foo.a>", true, true, true, false},
		{"star prefix token", "foo.*x", true, true, true, false},
		{"double star token", "foo.**", true, true, true, false},
		{"leading dot", ".foo", false, false, true, false},
		{"trailing dot", "foo.", false, false, true, false},
		{"empty middle", "foo..bar", false, false, true, false},
		{"only dot", ".", false, false, true, false},
		{"space", "foo bar", false, false, false, false},
		{"tab", "foo\tbar", false, false, false, false},
		{"cr", "foo\r", false, false, false, false},
		{"lf", "foo.\nbar", false, false, false, false},
		{"formfeed", "\f", false, false, false, false},
		// PROTOCOL.md §8: only the five whitespace bytes are illegal.
		{"vertical tab allowed", "foo\vbar", true, true, true, false},
		{"nul allowed", "foo\x00", true, true, true, false},
		{"utf8", "zäh.ñ", true, true, true, false},
		{"invalid utf8", "a\xff", true, true, true, false},
		{"case sensitive", "Foo.BAR", true, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(fn string, got, want bool) {
				t.Helper()
				if got != want {
					t.Errorf("%s(%q) = %v, want %v", fn, tt.in, got, want)
				}
			}
			b := []byte(tt.in)
			check("ValidSubject", ValidSubject(tt.in), tt.sub)
			check("ValidSubjectBytes", ValidSubjectBytes(b), tt.sub)
			check("ValidLiteral", ValidLiteral(tt.in), tt.lit)
			check("ValidLiteralBytes", ValidLiteralBytes(b), tt.lit)
			check("ValidQueue", ValidQueue(tt.in), tt.queue)
			check("ValidQueueBytes", ValidQueueBytes(b), tt.queue)
			check("HasWildcard", HasWildcard(tt.in), tt.wild)
			check("HasWildcardBytes", HasWildcardBytes(b), tt.wild)
		})
	}
}

func TestValidBytesNoAlloc(t *testing.T) {
	b := []byte("orders.eu.12345.created")
	n := testing.AllocsPerRun(100, func() {
		_ = ValidLiteralBytes(b)
		_ = ValidSubjectBytes(b)
		_ = ValidQueueBytes(b)
		_ = HasWildcardBytes(b)
		_ = MatchBytes("orders.*.>", b)
	})
	if n != 0 {
		t.Errorf("allocs = %v, want 0", n)
	}
}
