package subject

import (
	"strings"
	"testing"
)

// refValid is a deliberately naive restatement of PROTOCOL.md §8 that
// splits into tokens, for comparison with the single-pass validators.
func refValid(s string, wild bool) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n\f") {
		return false
	}
	toks := strings.Split(s, ".")
	for i, tok := range toks {
		switch {
		case tok == "":
			return false
		case tok == "*" && !wild:
			return false
		case tok == ">" && (!wild || i != len(toks)-1):
			return false
		}
	}
	return true
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"", "foo", "foo.bar", "*", ">", "foo.*.>", "foo.>.bar", "a..b", ".a", "a.",
		"a b", "a\tb", "a*b.>", "$JS.API.STREAM.INFO.X", "\x00", "ä.\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		if got, want := ValidSubject(s), refValid(s, true); got != want || ValidSubjectBytes(b) != want {
			t.Errorf("ValidSubject(%q) = %v, want %v", s, got, want)
		}
		if got, want := ValidLiteral(s), refValid(s, false); got != want || ValidLiteralBytes(b) != want {
			t.Errorf("ValidLiteral(%q) = %v, want %v", s, got, want)
		}
		wantQ := s != "" && !strings.ContainsAny(s, " \t\r\n\f")
		if ValidQueue(s) != wantQ || ValidQueueBytes(b) != wantQ {
			t.Errorf("ValidQueue(%q) = %v, want %v", s, ValidQueue(s), wantQ)
		}
		toks := strings.Split(s, ".")
		wantW := s != "" && (containsTok(toks, "*") || containsTok(toks, ">"))
		if HasWildcard(s) != wantW || HasWildcardBytes(b) != wantW {
			t.Errorf("HasWildcard(%q) = %v, want %v", s, HasWildcard(s), wantW)
		}
		if ValidSubject(s) && ValidLiteral(s) == HasWildcard(s) {
			t.Errorf("%q: ValidLiteral = %v but HasWildcard = %v", s, ValidLiteral(s), HasWildcard(s))
		}
		// Token helpers agree with strings.Split.
		if s != "" {
			if n := NumTokens(s); n != len(toks) {
				t.Errorf("NumTokens(%q) = %d, want %d", s, n, len(toks))
			}
			for i, tok := range toks {
				if got := Token(s, i+1); got != tok {
					t.Errorf("Token(%q, %d) = %q, want %q", s, i+1, got, tok)
				}
				if got, want := TokensFrom(s, i+1), strings.Join(toks[i:], "."); got != want {
					t.Errorf("TokensFrom(%q, %d) = %q, want %q", s, i+1, got, want)
				}
			}
		}
	})
}

func containsTok(toks []string, tok string) bool {
	for _, t := range toks {
		if t == tok {
			return true
		}
	}
	return false
}

// refMatch is Match restated over split tokens.
func refMatch(filter, subject string) bool {
	if !wellFormedRef(subject) {
		return false
	}
	ft, st := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, f := range ft {
		if f == ">" && i == len(ft)-1 {
			return len(st) > i
		}
		if i >= len(st) || (f != "*" && f != st[i]) {
			return false
		}
	}
	return len(ft) == len(st)
}

func wellFormedRef(s string) bool {
	return s != "" && !containsTok(strings.Split(s, "."), "")
}

// FuzzMatch checks Match against refMatch, an Index holding the fuzzed
// filters against the linear scan, and Overlap and SubsetOf against the
// subjects seen.
func FuzzMatch(f *testing.F) {
	seeds := [][4]string{
		{"foo.*", "foo.>", "*.bar", "foo.bar"},
		{"foo.>", ">", "foo", "foo.bar.baz"},
		{"*.*", "a.*.c", "a.b", "a.b.c"},
		{"$JS.API.>", "$JS.API.STREAM.*.*", "$JS.*.STREAM.INFO.*", "$JS.API.STREAM.INFO.X"},
		{"a", "a.b", "a.*", "a..b"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, a, b, c, s string) {
		if got, want := Match(a, s), refMatch(a, s); ValidSubject(a) && got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", a, s, got, want)
		}
		x := NewIndex[int]()
		var ref reference
		for i, filter := range []string{a, b, c} {
			err := x.Insert(filter, []string{"", "q", ""}[i], i)
			if ValidSubject(filter) != (err == nil) {
				t.Fatalf("Insert(%q) = %v", filter, err)
			}
			if err == nil {
				ref = append(ref, entry{filter, []string{"", "q", ""}[i], i})
			}
		}
		subjects := []string{s, a, b, c, witness(a, b), witness(b, c)}
		for range 2 { // the second round is served from the cache
			for _, subj := range subjects {
				if got, want := canon(x.Match(subj)), ref.match(subj); got != want {
					t.Fatalf("Index.Match(%q) = %s, want %s (filters %q)", subj, got, want, []string{a, b, c})
				}
			}
		}
		for _, p := range [][2]string{{a, b}, {b, c}, {a, c}} {
			checkPair(t, p[0], p[1], subjects)
		}
		if len(ref) > 0 {
			e := ref[0]
			if err := x.Remove(e.filter, e.queue, e.v); err != nil {
				t.Fatal(err)
			}
			ref = ref.remove(e)
			for _, subj := range subjects {
				if got, want := canon(x.Match(subj)), ref.match(subj); got != want {
					t.Fatalf("after Remove: Index.Match(%q) = %s, want %s", subj, got, want)
				}
			}
		}
	})
}

// checkPair tests Overlap and SubsetOf of two valid filters: a subject
// matching both proves an overlap, one matching p but not q disproves
// SubsetOf(p, q), and an overlap must come with a witness subject.
func checkPair(t *testing.T, p, q string, subjects []string) {
	t.Helper()
	if !ValidSubject(p) || !ValidSubject(q) {
		return
	}
	overlap := Overlap(p, q)
	if overlap != Overlap(q, p) {
		t.Fatalf("Overlap(%q, %q) not symmetric", p, q)
	}
	for _, s := range subjects {
		if Match(p, s) && Match(q, s) && !overlap {
			t.Fatalf("Overlap(%q, %q) = false, but both match %q", p, q, s)
		}
		if Match(p, s) && !Match(q, s) && SubsetOf(p, q) {
			t.Fatalf("SubsetOf(%q, %q) = true, but %q matches only the first", p, q, s)
		}
	}
	if w := witness(p, q); overlap && !(Match(p, w) && Match(q, w)) {
		t.Fatalf("Overlap(%q, %q) = true, but witness %q does not match both", p, q, w)
	}
	if SubsetOf(p, q) && SubsetOf(q, p) && p != q {
		t.Fatalf("SubsetOf both ways for different filters %q and %q", p, q)
	}
}

// witness builds the subject that matches both filters if any does: at
// each position take the more specific token, replace a remaining wildcard
// with "w", and let '>' absorb the other filter's tail (at least one token).
func witness(p, q string) string {
	if !ValidSubject(p) || !ValidSubject(q) {
		return "w"
	}
	pt, qt := strings.Split(p, "."), strings.Split(q, ".")
	var out []string
	for i := 0; i < len(pt) && i < len(qt); i++ {
		a, b := pt[i], qt[i]
		switch {
		case a == ">":
			return strings.Join(append(out, fill(qt[i:])...), ".")
		case b == ">":
			return strings.Join(append(out, fill(pt[i:])...), ".")
		case a == "*":
			a = b
		}
		if a == "*" {
			a = "w"
		}
		out = append(out, a)
	}
	return strings.Join(out, ".") // lengths differ: no witness exists
}

// fill turns filter tokens into literal ones; an empty tail becomes "w".
func fill(toks []string) []string {
	if len(toks) == 0 {
		return []string{"w"}
	}
	out := make([]string, len(toks))
	for i, tok := range toks {
		if tok == "*" || tok == ">" {
			tok = "w"
		}
		out[i] = tok
	}
	return out
}
