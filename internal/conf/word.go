package conf

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// sizeSuffixes maps a lower-cased integer suffix to its multiplier. As in
// nats-server, a bare letter is decimal and a trailing b, i or ib makes it
// binary: 1K is 1000, 1KB, 1Ki and 1KiB are 1024.
var sizeSuffixes = func() map[string]int64 {
	m := map[string]int64{}
	dec, bin := int64(1), int64(1)
	for _, c := range "kmgtpe" {
		dec *= 1000
		bin *= 1024
		s := string(c)
		m[s] = dec
		m[s+"b"], m[s+"i"], m[s+"ib"] = bin, bin, bin
	}
	return m
}()

// bcryptPrefixes mark unquoted words that start with '$' but are bcrypt
// hashes, not variables. nats-server special-cases "$2a$"; the other
// bcrypt versions are accepted here too.
var bcryptPrefixes = []string{"$2a$", "$2b$", "$2y$"}

// parseWord classifies an unquoted value: boolean, variable, number or string.
func (p *parser) parseWord(v Value) (Value, error) {
	at := position{v.Line, v.Col}
	raw, escaped := p.lx.readWord()
	if escaped {
		s, err := unescape(raw)
		if err != nil {
			return Value{}, p.errAt(at, nil, "%v", err)
		}
		v.V = s
		return v, nil
	}
	v.Raw = raw
	switch strings.ToLower(raw) {
	case "true", "yes", "on":
		v.V = true
		return v, nil
	case "false", "no", "off":
		v.V = false
		return v, nil
	}
	if strings.HasPrefix(raw, "$") && !hasAnyPrefix(raw, bcryptPrefixes) {
		return p.variable(raw[1:], at)
	}
	n, ok, err := parseNumber(raw)
	if err != nil {
		return Value{}, p.errAt(at, nil, "%v", err)
	}
	if ok {
		v.V = n
	} else {
		v.V = raw
	}
	return v, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// parseNumber reads an integer (with an optional size suffix) or a
// decimal float. ok is false when raw is not shaped like a number, such
// as "3secret", "10s" or "127.0.0.1": those are strings.
func parseNumber(raw string) (n any, ok bool, err error) {
	i := 0
	if strings.HasPrefix(raw, "-") {
		i = 1
	}
	j := i
	for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
		j++
	}
	if j == i {
		return nil, false, nil
	}
	digits, rest := raw[:j], raw[j:]
	switch {
	case rest == "":
		x, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return nil, false, rangeErr(raw, err)
		}
		return x, true, nil
	case rest[0] == '.' && len(rest) > 1 && allDigits(rest[1:]):
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, false, rangeErr(raw, err)
		}
		return x, true, nil
	}
	mult, found := sizeSuffixes[strings.ToLower(rest)]
	if !found {
		return nil, false, nil
	}
	x, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return nil, false, rangeErr(raw, err)
	}
	if x > math.MaxInt64/mult || x < math.MinInt64/mult {
		return nil, false, errors.New("integer " + raw + " is out of range")
	}
	return x * mult, true, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func rangeErr(raw string, err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return errors.New("number " + raw + " is out of range")
	}
	return errors.New("invalid number " + raw)
}

// variable resolves $name: first a key already set in this block or an
// enclosing one (innermost first), then an environment variable.
// The result carries the reference's position.
func (p *parser) variable(name string, at position) (Value, error) {
	if name == "" {
		return Value{}, p.errAt(at, nil, "'$' without a variable name")
	}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if v, ok := p.scopes[i][name]; ok {
			v.File, v.Line, v.Col = p.file, at.line, at.col
			return v, nil
		}
	}
	if s, ok := p.s.lookupEnv(name); ok {
		v := p.envValue(name, s)
		v.File, v.Line, v.Col = p.file, at.line, at.col
		return v, nil
	}
	return Value{}, p.errAt(at, ErrUndefinedVariable,
		"variable $%s is not defined in this or an enclosing block, nor in the environment", name)
}

// envValue parses an environment variable's text as a value, so that
// "1KB" is 1024 and "{a: 1}" a block, as nats-server does. Text that is not
// exactly one value is used as a plain string.
func (p *parser) envValue(name, text string) Value {
	plain := Value{V: text}
	if p.s.envDepth >= maxEnvDepth {
		return plain
	}
	p.s.envDepth++
	defer func() { p.s.envDepth-- }()
	sub := &parser{lx: newLexer(text), file: "$" + name, dir: p.dir, s: p.s, depth: p.depth}
	sub.lx.skipSpace()
	if sub.lx.atLineEnd() {
		return plain
	}
	v, err := sub.parseValue()
	if err != nil {
		return plain
	}
	sub.lx.skipBlank()
	if sub.lx.peek() != eof {
		return plain
	}
	return v
}
