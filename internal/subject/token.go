package subject

import "strings"

// Token positions are 1-based, as in JETSTREAM-API.md ("$JS" is token 1,
// the stream name of "$JS.API.STREAM.INFO.<stream>" is token 5) and in
// nats-server's token helpers.

// NumTokens returns the number of '.'-separated tokens in s; 0 for "".
func NumTokens(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, ".") + 1
}

// Token returns the i-th token of s (1-based), or "" when s has fewer than i
// tokens or i < 1.
func Token(s string, i int) string {
	if i < 1 {
		return ""
	}
	for ; i > 1; i-- {
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return ""
		}
		s = s[dot+1:]
	}
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		return s[:dot]
	}
	return s
}

// TokensFrom returns tokens i through the last of s (1-based), joined by '.'
// as they appear in s, or "" when s has fewer than i tokens. It is the shape
// of "$JS.API.CONSUMER.CREATE.<stream>.<consumer>.<filter...>", where the
// filter is TokensFrom(subject, 7).
func TokensFrom(s string, i int) string {
	if i < 1 || s == "" {
		return ""
	}
	for ; i > 1; i-- {
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return ""
		}
		s = s[dot+1:]
	}
	return s
}

// CutPrefix removes the token sequence prefix from the front of s, on a token
// boundary. It returns the remaining tokens (without the separating '.') and
// true when s equals prefix or starts with prefix+".". CutPrefix("$JS.API.X",
// "$JS.API") is ("X", true); CutPrefix("$JS.APIX", "$JS.API") is ("", false).
func CutPrefix(s, prefix string) (rest string, ok bool) {
	if !strings.HasPrefix(s, prefix) {
		return "", false
	}
	rest = s[len(prefix):]
	switch {
	case rest == "":
		return "", true
	case prefix == "":
		return s, true
	case rest[0] == '.':
		return rest[1:], true
	}
	return "", false
}

// AppendTokens appends the tokens of s to dst and returns the extended
// slice. The tokens share memory with s; with enough capacity in dst it does
// not allocate.
func AppendTokens(dst []string, s string) []string {
	if s == "" {
		return dst
	}
	for {
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:dot])
		s = s[dot+1:]
	}
}
