package subject

// Validity rules follow PROTOCOL.md §8 (nats-server sublist.go semantics):
//
//   - tokens are separated by '.', and no token may be empty;
//   - space, '\t', '\r', '\n' and '\f' are illegal anywhere; every other byte
//     (including other control bytes and non-UTF-8) is accepted, because the
//     server accepts it on the client path;
//   - '*' is a wildcard only as a whole token, '>' only as the whole last
//     token; "a*b" and "a>b" are ordinary literal tokens.

// text is the pair of types the validators accept without copying.
type text interface{ ~string | ~[]byte }

// illegal reports whether c may not appear in a subject or queue name.
func illegal(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
}

// ValidSubject reports whether s is a valid subscription filter: non-empty
// tokens, no whitespace, '*' only as a whole token and '>' only as the whole
// last token.
func ValidSubject(s string) bool { return valid(s, true) }

// ValidSubjectBytes is ValidSubject for a byte slice; it does not allocate.
func ValidSubjectBytes(s []byte) bool { return valid(s, true) }

// ValidLiteral reports whether s is a valid publish subject: a valid subject
// with no wildcard tokens. A token such as "a*b" is literal and allowed.
func ValidLiteral(s string) bool { return valid(s, false) }

// ValidLiteralBytes is ValidLiteral for a byte slice; it does not allocate.
func ValidLiteralBytes(s []byte) bool { return valid(s, false) }

// ValidQueue reports whether s is a valid queue group name: non-empty and
// free of whitespace. Dots and wildcard characters carry no meaning in a
// queue name and are allowed, as in nats-server and nats.go.
func ValidQueue(s string) bool { return validQueue(s) }

// ValidQueueBytes is ValidQueue for a byte slice; it does not allocate.
func ValidQueueBytes(s []byte) bool { return validQueue(s) }

// HasWildcard reports whether s contains a '*' or '>' wildcard token. It does
// not check validity: HasWildcard("a.>.b") is true.
func HasWildcard(s string) bool { return hasWildcard(s) }

// HasWildcardBytes is HasWildcard for a byte slice; it does not allocate.
func HasWildcardBytes(s []byte) bool { return hasWildcard(s) }

// valid checks s in one pass. wild says whether wildcard tokens are allowed.
func valid[S text](s S, wild bool) bool {
	if len(s) == 0 {
		return false
	}
	start := 0 // first byte of the current token
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			if illegal(s[i]) {
				return false
			}
			continue
		}
		// s[start:i] is a complete token.
		switch n := i - start; {
		case n == 0:
			return false
		case n == 1 && s[start] == '*':
			if !wild {
				return false
			}
		case n == 1 && s[start] == '>':
			if !wild || i != len(s) {
				return false
			}
		}
		start = i + 1
	}
	return true
}

func validQueue[S text](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if illegal(s[i]) {
			return false
		}
	}
	return true
}

func hasWildcard[S text](s S) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '*' && c != '>' {
			continue
		}
		if (i == 0 || s[i-1] == '.') && (i+1 == len(s) || s[i+1] == '.') {
			return true
		}
	}
	return false
}
