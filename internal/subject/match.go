package subject

import "strings"

// Match, Overlap and SubsetOf compare subjects token by token without
// splitting them into slices, so none of them allocates. Filters are
// expected to be valid (ValidSubject); for an invalid filter the result is
// unspecified, but the functions never panic.

// Match reports whether the literal subject matches filter. '*' in filter
// matches exactly one token, '>' one or more. A subject with an empty token
// ("a..b", ".a", "a.") matches nothing. Match does not check the subject for
// whitespace; that is the caller's choice (pedantic mode, PROTOCOL.md §4).
func Match(filter, subject string) bool { return match(filter, subject) }

// MatchBytes is Match for a subject held in a byte slice; it does not
// allocate.
func MatchBytes(filter string, subject []byte) bool { return match(filter, subject) }

func match[S text](filter string, subject S) bool {
	if !wellFormed(subject) {
		return false
	}
	fi, si := 0, 0 // start of the current filter and subject token
	for {
		fend := next(filter, fi)
		send := next(subject, si)
		ftok := filter[fi:fend]
		switch {
		case ftok == ">" && fend == len(filter):
			return true // si < len(subject) holds here: one or more tokens remain
		case ftok == "*":
		case !equal(ftok, subject[si:send]):
			return false
		}
		fdone, sdone := fend == len(filter), send == len(subject)
		if fdone || sdone {
			return fdone && sdone
		}
		fi, si = fend+1, send+1
	}
}

// wellFormed reports whether s is non-empty and has no empty token.
func wellFormed[S text](s S) bool {
	if len(s) == 0 || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '.' && s[i-1] == '.' {
			return false
		}
	}
	return true
}

// next returns the index of the '.' ending the token that starts at i, or
// len(s) for the last token.
func next[S text](s S, i int) int {
	for ; i < len(s); i++ {
		if s[i] == '.' {
			return i
		}
	}
	return len(s)
}

func equal[S text](a string, b S) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cut splits s at its first '.', like strings.Cut.
func cut(s string) (tok, rest string, more bool) {
	return strings.Cut(s, ".")
}

// Overlap reports whether some literal subject matches both filters a and
// b. JetStream uses it to refuse a stream whose subjects collide with
// another stream's (JETSTREAM-API.md, error 10065), and STREAM.NAMES uses it
// for its "subject" filter.
func Overlap(a, b string) bool {
	for {
		at, arest, amore := cut(a)
		bt, brest, bmore := cut(b)
		if (at == ">" && !amore) || (bt == ">" && !bmore) {
			// '>' takes this token and any that follow; the other side has
			// at least this one token.
			return true
		}
		if at != bt && at != "*" && bt != "*" {
			return false
		}
		if !amore || !bmore {
			return !amore && !bmore
		}
		a, b = arest, brest
	}
}

// SubsetOf reports whether every literal subject matched by sub is also
// matched by super; a filter is a subset of itself. JetStream uses it for
// consumer filters that must stay within a stream's subjects.
func SubsetOf(sub, super string) bool {
	for {
		st, srest, smore := cut(sub)
		pt, prest, pmore := cut(super)
		if pt == ">" && !pmore {
			return true // sub has at least this token left
		}
		if st == ">" && !smore {
			return false // sub matches any depth, super does not
		}
		if pt != "*" && st != pt {
			return false // super is literal here and sub is '*' or differs
		}
		if !smore || !pmore {
			return !smore && !pmore
		}
		sub, super = srest, prest
	}
}
