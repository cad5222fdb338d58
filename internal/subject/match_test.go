package subject

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, filter, subject string
		want                  bool
	}{
		{"literal equal", "foo.bar", "foo.bar", true},
		{"literal differs", "foo.bar", "foo.baz", false},
		{"case sensitive", "foo", "FOO", false},
		{"shorter filter", "foo", "foo.bar", false},
		{"longer filter", "foo.bar", "foo", false},
		{"prefix token", "foo.ba", "foo.bar", false},
		{"star one token", "foo.*", "foo.bar", true},
		{"star needs a token", "foo.*", "foo", false},
		{"star one only", "foo.*", "foo.bar.baz", false},
		{"star first", "*.bar", "foo.bar", true},
		{"star alone", "*", "foo", true},
		{"star alone two tokens", "*", "foo.bar", false},
		{"gt one token", "foo.>", "foo.bar", true},
		{"gt many tokens", "foo.>", "foo.bar.baz.qux", true},
		{"gt needs a token", "foo.>", "foo", false},
		{"gt alone", ">", "foo.bar", true},
		{"star then gt", "*.>", "foo.bar", true},
		{"star then gt short", "*.>", "foo", false},
		{"stars", "*.*.*", "a.b.c", true},
		{"literal star token", "a*b.c", "a*b.c", true},
		{"literal star token no wildcard", "a*b.c", "axb.c", false},
		{"subject star is literal", "foo.*", "foo.*", true},
		{"empty subject", "foo", "", false},
		{"empty token subject", "foo.*.baz", "foo..baz", false},
		{"empty token under gt", "foo.>", "foo.bar..baz", false},
		{"trailing dot", "foo.>", "foo.", false},
		{"leading dot", "*.foo", ".foo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.filter, tt.subject); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.filter, tt.subject, got, tt.want)
			}
			if got := MatchBytes(tt.filter, []byte(tt.subject)); got != tt.want {
				t.Errorf("MatchBytes(%q, %q) = %v, want %v", tt.filter, tt.subject, got, tt.want)
			}
		})
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{"equal literal", "foo.bar", "foo.bar", true},
		{"different literal", "foo.bar", "foo.baz", false},
		{"different length", "foo", "foo.bar", false},
		{"star vs literal", "foo.*", "foo.bar", true},
		{"star vs shorter", "foo.*", "foo", false},
		{"gt vs deeper", "foo.>", "foo.bar.baz", true},
		{"gt vs same level", "foo.>", "foo", false},
		{"gt vs gt", "foo.>", "foo.>", true},
		{"gt vs star", "foo.>", "*.*", true},
		{"gt vs other prefix", "foo.>", "bar.>", false},
		{"star gt vs literal", "*.>", "foo", false},
		{"crossed stars", "a.*.c", "*.b.*", true},
		{"crossed stars mismatch", "a.*.c", "*.b.d", false},
		{"root gt", ">", "a.b.c", true},
		{"stream subjects", "orders.*", "orders.eu.>", false},
		{"stream subjects 2", "orders.>", "orders.eu.>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overlap(tt.a, tt.b); got != tt.want {
				t.Errorf("Overlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := Overlap(tt.b, tt.a); got != tt.want {
				t.Errorf("Overlap(%q, %q) = %v, want %v (symmetry)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestSubsetOf(t *testing.T) {
	tests := []struct {
		name, sub, super string
		want             bool
	}{
		{"equal literal", "foo.bar", "foo.bar", true},
		{"literal in star", "foo.bar", "foo.*", true},
		{"star in literal", "foo.*", "foo.bar", false},
		{"literal in gt", "foo.bar.baz", "foo.>", true},
		{"gt in gt", "foo.bar.>", "foo.>", true},
		{"gt in own", "foo.>", "foo.>", true},
		{"wider gt", "foo.>", "foo.bar.>", false},
		{"star in gt", "foo.*", "foo.>", true},
		{"gt in star", "foo.>", "foo.*", false},
		{"star in star", "*.*", "*.*", true},
		{"prefix not subset", "foo", "foo.>", false},
		{"different length", "foo.*", "*", false},
		{"everything", "a.*.c.>", ">", true},
		{"gt not in everything-but-root", ">", "*.>", false},
		{"different literal", "foo.bar", "foo.baz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SubsetOf(tt.sub, tt.super); got != tt.want {
				t.Errorf("SubsetOf(%q, %q) = %v, want %v", tt.sub, tt.super, got, tt.want)
			}
		})
	}
}

// TestFiltersExhaustive checks Overlap and SubsetOf against their definitions
// over every filter of up to three tokens from {a, b, *, >}. Literal subjects
// of up to four tokens from {a, b, z} are enough to witness any overlap or
// any counterexample to a subset: a filter of n tokens distinguishes at most
// n+1 lengths, and z stands for "any other token".
func TestFiltersExhaustive(t *testing.T) {
	filters := words([]string{"a", "b", "*", ">"}, 3, ValidSubject)
	subjects := words([]string{"a", "b", "z"}, 4, ValidLiteral)
	matched := make(map[string][]bool, len(filters))
	for _, f := range filters {
		m := make([]bool, len(subjects))
		for i, s := range subjects {
			m[i] = Match(f, s)
		}
		matched[f] = m
	}
	for _, a := range filters {
		for _, b := range filters {
			overlap, subset := false, true
			for i := range subjects {
				ma, mb := matched[a][i], matched[b][i]
				overlap = overlap || ma && mb
				subset = subset && (!ma || mb)
			}
			if got := Overlap(a, b); got != overlap {
				t.Errorf("Overlap(%q, %q) = %v, want %v", a, b, got, overlap)
			}
			if got := SubsetOf(a, b); got != subset {
				t.Errorf("SubsetOf(%q, %q) = %v, want %v", a, b, got, subset)
			}
		}
	}
}

// words returns every string of 1..n tokens from alphabet that keep passes.
func words(alphabet []string, n int, keep func(string) bool) []string {
	var out []string
	level := []string{""}
	for range n {
		var nextLevel []string
		for _, p := range level {
			for _, tok := range alphabet {
				w := tok
				if p != "" {
					w = p + "." + tok
				}
				nextLevel = append(nextLevel, w)
				if keep(w) {
					out = append(out, w)
				}
			}
		}
		level = nextLevel
	}
	return out
}

func TestMatchLongSubject(t *testing.T) {
	s := strings.Repeat("a.", 1000) + "b"
	if !Match(strings.Repeat("*.", 1000)+"b", s) || !Match("a.>", s) || Match(strings.Repeat("*.", 999)+"b", s) {
		t.Error("long subject mismatch")
	}
}

func TestLiteralPrefix(t *testing.T) {
	tests := []struct{ filter, want string }{
		{"_INBOX.abc.*", "_INBOX.abc."},
		{"a.*.c", "a."},
		{"a.b.>", "a.b."},
		{">", ""},
		{"*.a", ""},
		{"a*.b.*", "a*.b."},
		{"a.b", "a.b"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			if got := literalPrefix(tt.filter); got != tt.want {
				t.Errorf("literalPrefix(%q) = %q, want %q", tt.filter, got, tt.want)
			}
		})
	}
}
