package conf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const (
	maxDepth        = 200 // nesting of blocks and arrays
	maxIncludeDepth = 32  // include chain length; also stops symlink loops
	maxEnvDepth     = 8   // environment values that refer to variables
)

// session is shared by a file and everything it includes.
type session struct {
	readFile  func(string) ([]byte, error)
	lookupEnv func(string) (string, bool)
	files     []string // absolute paths of the files being parsed, outermost first
	envDepth  int
}

func newSession() *session {
	return &session{readFile: os.ReadFile, lookupEnv: os.LookupEnv}
}

// Parse parses configuration text. Include paths are relative to the
// current directory.
func Parse(data string) (Map, error) {
	return newSession().parse(data, "")
}

// ParseFile reads and parses a configuration file. Include paths are
// relative to the directory of the file that holds the include.
func ParseFile(path string) (Map, error) {
	s := newSession()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	data, err := s.readFile(path)
	if err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	s.files = append(s.files, abs)
	return s.parse(string(data), path)
}

func (s *session) parse(data, file string) (Map, error) {
	p := &parser{lx: newLexer(data), file: file, dir: filepath.Dir(file), s: s}
	root := Map{}
	p.scopes = []Map{root}
	if err := p.parseTop(root); err != nil {
		return nil, err
	}
	return root, nil
}

// include parses the file at path on behalf of an include directive.
func (s *session) include(path string) (Map, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if i := indexOf(s.files, abs); i >= 0 {
		chain := append(append([]string{}, s.files[i:]...), abs)
		return nil, fmt.Errorf("%w: %s", ErrIncludeCycle, strings.Join(chain, " -> "))
	}
	if len(s.files) >= maxIncludeDepth {
		return nil, fmt.Errorf("includes nested deeper than %d files", maxIncludeDepth)
	}
	data, err := s.readFile(path)
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, abs)
	defer func() { s.files = s.files[:len(s.files)-1] }()
	return s.parse(string(data), path)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// parser is a recursive-descent parser over one file's text.
type parser struct {
	lx     *lexer
	file   string
	dir    string // base for relative include paths
	s      *session
	scopes []Map // blocks being built, outermost first; $VAR looks here
	depth  int
}

func (p *parser) errAt(at position, cause error, format string, args ...any) *SyntaxError {
	return &SyntaxError{File: p.file, Line: at.line, Col: at.col, Msg: fmt.Sprintf(format, args...), Err: cause}
}

func (p *parser) errHere(format string, args ...any) *SyntaxError {
	return p.errAt(p.lx.here(), nil, format, args...)
}

// parseTop parses a whole file. A file may be wrapped in braces, so that a
// JSON object is a valid configuration.
func (p *parser) parseTop(root Map) error {
	p.lx.skipBlank()
	if p.lx.peek() != '{' {
		return p.parseBody(root, eof, position{})
	}
	open := p.lx.here()
	p.lx.next()
	if err := p.parseBody(root, '}', open); err != nil {
		return err
	}
	p.lx.skipBlank()
	if r := p.lx.peek(); r != eof {
		return p.errHere("unexpected %s after the closing '}'", describeRune(r))
	}
	return nil
}

// parseBody parses key/value entries into m until closing ('}' or eof).
func (p *parser) parseBody(m Map, closing rune, open position) error {
	for {
		p.skipSeparators()
		switch r := p.lx.peek(); {
		case r == closing:
			p.lx.next()
			return nil
		case r == eof:
			return p.errAt(open, nil, "block is not closed: missing '}'")
		case r == '}' || r == ']':
			return p.errHere("unexpected %q", r)
		}
		key, err := p.parseEntry(m)
		if err != nil {
			return err
		}
		p.lx.skipInline()
		switch r := p.lx.peek(); {
		case r == ',' || r == ';':
			p.lx.next()
		case r == eof || isNewline(r) || r == closing:
		default:
			return p.errHere("expected a line break, ',' or ';' after the value of %q, found %s", key, describeRune(r))
		}
	}
}

// skipSeparators skips blanks, comments and stray ',' or ';' between entries.
func (p *parser) skipSeparators() {
	for {
		p.lx.skipBlank()
		if r := p.lx.peek(); r != ',' && r != ';' {
			return
		}
		p.lx.next()
	}
}

// parseEntry parses "key value", "key: value", "key = value" or an
// include directive, storing the result in m.
func (p *parser) parseEntry(m Map) (string, error) {
	keyPos := p.lx.here()
	key, quoted, err := p.lx.readKey()
	if err != nil {
		return "", p.errAt(keyPos, nil, "%v", err)
	}
	if !quoted && strings.EqualFold(key, "include") && p.atIncludeOperand() {
		return key, p.parseInclude(m, keyPos)
	}
	p.lx.skipSpace()
	switch r := p.lx.peek(); {
	case r == ':' || r == '=':
		p.lx.next()
		p.lx.skipSpace()
	case p.lx.atLineEnd():
		// "name" on one line and "{" on the next is a block.
		save := *p.lx
		p.lx.skipBlank()
		if p.lx.peek() != '{' {
			*p.lx = save
		}
	}
	if p.lx.atLineEnd() {
		return "", p.errAt(keyPos, nil, "key %q has no value", key)
	}
	v, err := p.parseValue()
	if err != nil {
		return "", err
	}
	m[key] = v
	return key, nil
}

// atIncludeOperand reports whether the word "include" just read is the
// directive: followed by a space and then something other than a key
// separator, so that "include: x" stays an ordinary key.
func (p *parser) atIncludeOperand() bool {
	if !isSpace(p.lx.peek()) {
		return false
	}
	save := *p.lx
	defer func() { *p.lx = save }()
	p.lx.skipSpace()
	r := p.lx.peek()
	return r != ':' && r != '=' && !p.lx.atLineEnd()
}

// parseInclude reads the included file and merges its keys into m.
func (p *parser) parseInclude(m Map, at position) error {
	p.lx.skipSpace()
	path, err := p.lx.readIncludePath()
	if err != nil {
		return p.errHere("%v", err)
	}
	if path == "" || strings.ContainsAny(path[:1], "{[(") {
		return p.errAt(at, nil, "include needs a file name, found %q", path)
	}
	full := path
	if !filepath.IsAbs(path) {
		full = filepath.Join(p.dir, path)
	}
	inc, err := p.s.include(full)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return err // already names the included file and line
		}
		return p.errAt(at, err, "include %q: %v", path, err)
	}
	for k, v := range inc {
		m[k] = v
	}
	return nil
}

// parseValue parses one value of any kind at the cursor.
func (p *parser) parseValue() (Value, error) {
	at := p.lx.here()
	if p.depth >= maxDepth {
		return Value{}, p.errAt(at, nil, "blocks and arrays nested deeper than %d", maxDepth)
	}
	p.depth++
	defer func() { p.depth-- }()

	v := Value{File: p.file, Line: at.line, Col: at.col}
	var err error
	switch r := p.lx.peek(); r {
	case '{':
		p.lx.next()
		m := Map{}
		p.scopes = append(p.scopes, m)
		err = p.parseBody(m, '}', at)
		p.scopes = p.scopes[:len(p.scopes)-1]
		v.V = m
	case '[':
		v.V, err = p.parseArray(at)
	case '"':
		v.V, err = p.lx.readDoubleQuoted()
	case '\'':
		v.V, err = p.lx.readSingleQuoted()
	case '(':
		v.V, err = p.lx.readBlock()
	case eof, '\n', '\r', ',', ';', ']', '}':
		return Value{}, p.errAt(at, nil, "expected a value, found %s", describeRune(r))
	default:
		return p.parseWord(v)
	}
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return Value{}, err
		}
		return Value{}, p.errAt(at, nil, "%v", err)
	}
	return v, nil
}

// parseArray parses "[a, b, c]"; commas or line breaks separate elements
// and a trailing comma is allowed.
func (p *parser) parseArray(open position) ([]Value, error) {
	p.lx.next() // '['
	arr := []Value{}
	for {
		p.lx.skipBlank()
		switch p.lx.peek() {
		case ']':
			p.lx.next()
			return arr, nil
		case eof:
			return nil, p.errAt(open, nil, "array is not closed: missing ']'")
		}
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.lx.skipInline()
		switch r := p.lx.peek(); {
		case r == ',':
			p.lx.next()
		case r == ']' || isNewline(r):
		case r == eof:
			return nil, p.errAt(open, nil, "array is not closed: missing ']'")
		default:
			return nil, p.errHere("expected ',' or ']' in array, found %s", describeRune(r))
		}
	}
}
