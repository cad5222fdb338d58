package conf

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// eof is returned by peek and next at the end of the input.
const eof rune = -1

// position is a 1-based line and column; columns count runes.
type position struct {
	line, col int
}

// lexer is a cursor over the source text. It has no token stream of its
// own: what a run of characters means (key, value, include path) depends
// on where the parser is, so the parser asks for the piece it expects.
type lexer struct {
	src  string
	pos  int // byte offset of the next rune
	line int
	col  int
}

func newLexer(src string) *lexer {
	// A UTF-8 byte order mark is not part of the configuration.
	src = strings.TrimPrefix(src, "\ufeff")
	return &lexer{src: src, line: 1, col: 1}
}

func (lx *lexer) here() position { return position{lx.line, lx.col} }

func (lx *lexer) peek() rune {
	if lx.pos >= len(lx.src) {
		return eof
	}
	r, _ := utf8.DecodeRuneInString(lx.src[lx.pos:])
	return r
}

func (lx *lexer) next() rune {
	if lx.pos >= len(lx.src) {
		return eof
	}
	r, w := utf8.DecodeRuneInString(lx.src[lx.pos:])
	lx.pos += w
	if r == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	return r
}

func isSpace(r rune) bool   { return r == ' ' || r == '\t' }
func isNewline(r rune) bool { return r == '\n' || r == '\r' }

// atComment reports whether a '#' or '//' comment starts here.
func (lx *lexer) atComment() bool {
	rest := lx.src[lx.pos:]
	return strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "//")
}

// atLineEnd reports whether nothing but a comment is left on this line.
func (lx *lexer) atLineEnd() bool {
	r := lx.peek()
	return r == eof || isNewline(r) || lx.atComment()
}

func (lx *lexer) skipSpace() {
	for isSpace(lx.peek()) {
		lx.next()
	}
}

// skipComment consumes a comment up to, not including, the line break.
func (lx *lexer) skipComment() {
	for r := lx.peek(); r != eof && !isNewline(r); r = lx.peek() {
		lx.next()
	}
}

// skipInline consumes spaces and a trailing comment, stopping at the line break.
func (lx *lexer) skipInline() {
	lx.skipSpace()
	if lx.atComment() {
		lx.skipComment()
	}
}

// skipBlank consumes spaces, line breaks and comments.
func (lx *lexer) skipBlank() {
	for {
		switch r := lx.peek(); {
		case isSpace(r) || isNewline(r):
			lx.next()
		case lx.atComment():
			lx.skipComment()
		default:
			return
		}
	}
}

// isKeyEnd reports whether r ends an unquoted key.
func isKeyEnd(r rune) bool {
	switch r {
	case eof, ' ', '\t', '\n', '\r', ':', '=', '{', '}', '[', ']', ',', ';', '"', '\'', '#':
		return true
	}
	return false
}

// readKey reads a bare, double-quoted or single-quoted key. Quoted keys
// take their text literally, without escapes, as nats-server does.
func (lx *lexer) readKey() (key string, quoted bool, err error) {
	switch q := lx.peek(); q {
	case '"', '\'':
		lx.next()
		start := lx.pos
		for {
			switch r := lx.peek(); {
			case r == q:
				key = lx.src[start:lx.pos]
				lx.next()
				return key, true, nil
			case r == eof || isNewline(r):
				return "", true, fmt.Errorf("unterminated quoted key")
			}
			lx.next()
		}
	}
	start := lx.pos
	for !isKeyEnd(lx.peek()) {
		lx.next()
	}
	if lx.pos == start {
		return "", false, fmt.Errorf("expected a key, found %s", describeRune(lx.peek()))
	}
	return lx.src[start:lx.pos], false, nil
}

// isWordEnd reports whether r ends an unquoted value. Like nats-server,
// ':' '=' '#' and '/' do not, so "nats://h:4222" and "a#b" stay whole.
func isWordEnd(r rune) bool {
	switch r {
	case eof, ' ', '\t', '\n', '\r', ',', ';', ']', '}':
		return true
	}
	return false
}

// readWord reads an unquoted value. A backslash protects the next rune, so
// escapes are decoded later by unescape; escaped reports whether any were seen.
func (lx *lexer) readWord() (raw string, escaped bool) {
	start := lx.pos
	for r := lx.peek(); !isWordEnd(r); r = lx.peek() {
		lx.next()
		if r == '\\' && lx.peek() != eof {
			escaped = true
			lx.next()
		}
	}
	return lx.src[start:lx.pos], escaped
}

// readDoubleQuoted reads a "..." string, decoding escapes. Line breaks may
// appear inside, as nats-server allows.
func (lx *lexer) readDoubleQuoted() (string, error) {
	lx.next() // opening quote
	start := lx.pos
	escaped := false
	for {
		switch r := lx.next(); r {
		case eof:
			return "", fmt.Errorf("unterminated double-quoted string")
		case '\\':
			escaped = true
			if lx.next() == eof {
				return "", fmt.Errorf("unterminated double-quoted string")
			}
		case '"':
			raw := lx.src[start : lx.pos-1]
			if !escaped {
				return raw, nil
			}
			return unescape(raw)
		}
	}
}

// readSingleQuoted reads a '...' string literally.
func (lx *lexer) readSingleQuoted() (string, error) {
	lx.next()
	start := lx.pos
	end := strings.IndexByte(lx.src[start:], '\'')
	if end < 0 {
		return "", fmt.Errorf("unterminated single-quoted string")
	}
	for lx.pos < start+end+1 {
		lx.next()
	}
	return lx.src[start : start+end], nil
}

// readBlock reads a "( ... )" raw multi-line string, which ends at a ')'
// alone at the start of a line. The text keeps the line break before ')'.
func (lx *lexer) readBlock() (string, error) {
	lx.next() // '('
	start := lx.pos
	rest := lx.src[start:]
	end := -1
	for i := 0; i < len(rest); {
		j := strings.Index(rest[i:], "\n)")
		if j < 0 {
			break
		}
		k := i + j + 2 // just past ')'
		if k == len(rest) || rest[k] == '\n' || rest[k] == '\r' {
			end = i + j + 1
			break
		}
		i = k
	}
	if end < 0 {
		return "", fmt.Errorf("unterminated block string: no ')' alone on a line")
	}
	for lx.pos < start+end+1 {
		lx.next()
	}
	return rest[:end], nil
}

// readIncludePath reads the operand of an include directive: a quoted
// string taken literally or an unquoted run up to a space or separator.
func (lx *lexer) readIncludePath() (string, error) {
	switch lx.peek() {
	case '"', '\'':
		path, _, err := lx.readKey()
		if err != nil {
			return "", fmt.Errorf("unterminated include path")
		}
		return path, nil
	}
	start := lx.pos
	for r := lx.peek(); !isWordEnd(r); r = lx.peek() {
		lx.next()
	}
	return lx.src[start:lx.pos], nil
}

// unescape decodes the escapes nats-server accepts: \t \n \r \" \\ and \xHH.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("string ends in a lone backslash")
		}
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '"':
			b.WriteByte('"')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			if i+3 > len(s) {
				return "", fmt.Errorf(`\x needs two hexadecimal digits`)
			}
			d, err := hex.DecodeString(s[i+1 : i+3])
			if err != nil {
				return "", fmt.Errorf(`\x needs two hexadecimal digits, found %q`, s[i+1:i+3])
			}
			b.Write(d)
			i += 2
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return "", fmt.Errorf(`invalid escape \%c; allowed are \t \n \r \" \\ \xHH`, r)
		}
	}
	return b.String(), nil
}

func describeRune(r rune) string {
	switch {
	case r == eof:
		return "end of file"
	case r == '\n' || r == '\r':
		return "end of line"
	}
	return fmt.Sprintf("%q", r)
}
