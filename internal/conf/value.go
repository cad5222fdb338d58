package conf

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode"
)

// ErrType is wrapped by accessor errors when a value has another type
// than the caller asked for.
var ErrType = errors.New("conf: wrong value type")

// ErrUndefinedVariable is wrapped by the SyntaxError for a $VAR that is
// neither a key of an enclosing block nor an environment variable.
var ErrUndefinedVariable = errors.New("conf: undefined variable")

// ErrIncludeCycle is wrapped by the SyntaxError for an include that would
// read a file already being parsed.
var ErrIncludeCycle = errors.New("conf: include cycle")

// Value is one parsed value with where it was written.
type Value struct {
	V    any    // string, int64, float64, bool, []Value, Map
	File string // "" for Parse of a string
	Line int    // 1-based
	Col  int    // 1-based, in runes

	// Raw is the source text of an unquoted scalar ("1MB", "2m", "yes");
	// it is empty for quoted strings, blocks and arrays. Duration uses it
	// to read "2m" as two minutes, not two million.
	Raw string
}

// Map is a block: keys to values. Later keys replace earlier ones.
type Map map[string]Value

// Keys returns the keys of m in sorted order, for deterministic iteration.
func (m Map) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Pos returns "file:line:col", or "line:col" for a value from Parse.
func (v Value) Pos() string {
	if v.File == "" {
		return fmt.Sprintf("%d:%d", v.Line, v.Col)
	}
	return fmt.Sprintf("%s:%d:%d", v.File, v.Line, v.Col)
}

// Str returns a string value. (It is not named String so that Value does
// not look like a fmt.Stringer.)
func (v Value) Str() (string, error) {
	if s, ok := v.V.(string); ok {
		return s, nil
	}
	return "", v.typeErr("string")
}

// Int returns an integer value, size suffixes already applied.
func (v Value) Int() (int64, error) {
	if n, ok := v.V.(int64); ok {
		return n, nil
	}
	return 0, v.typeErr("integer")
}

// Float returns a float value; integers are converted.
func (v Value) Float() (float64, error) {
	switch n := v.V.(type) {
	case float64:
		return n, nil
	case int64:
		return float64(n), nil
	}
	return 0, v.typeErr("number")
}

// Bool returns a boolean value (unquoted true/false/yes/no/on/off).
// A quoted "true" is a string, as in nats-server.
func (v Value) Bool() (bool, error) {
	if b, ok := v.V.(bool); ok {
		return b, nil
	}
	return false, v.typeErr("boolean")
}

// Map returns a block value.
func (v Value) Map() (Map, error) {
	if m, ok := v.V.(Map); ok {
		return m, nil
	}
	return nil, v.typeErr("block")
}

// Array returns an array value.
func (v Value) Array() ([]Value, error) {
	if a, ok := v.V.([]Value); ok {
		return a, nil
	}
	return nil, v.typeErr("array")
}

// Duration reads a duration the way nats-server's option parser does: a
// string goes through time.ParseDuration ("2m", "1h30m", "250ms") and a
// plain integer counts seconds (nats-server accepts it with a warning).
//
// One deliberate difference: nats-server lexes an unquoted 2m as the
// integer 2,000,000 (m is the mega suffix) and then reads it as seconds.
// Here an integer written with a letter suffix is read from its source
// text instead, so 2m is two minutes and 1G is an error.
func (v Value) Duration() (time.Duration, error) {
	switch x := v.V.(type) {
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, fmt.Errorf("%s: invalid duration %q: %w", v.Pos(), x, err)
		}
		return d, nil
	case int64:
		if v.Raw != "" && unicode.IsLetter(rune(v.Raw[len(v.Raw)-1])) {
			d, err := time.ParseDuration(v.Raw)
			if err != nil {
				return 0, fmt.Errorf("%s: invalid duration %s: %w", v.Pos(), v.Raw, err)
			}
			return d, nil
		}
		if x > int64(1<<63-1)/int64(time.Second) || x < -int64(1<<63-1)/int64(time.Second) {
			return 0, fmt.Errorf("%s: duration of %d seconds is out of range", v.Pos(), x)
		}
		return time.Duration(x) * time.Second, nil
	}
	return 0, v.typeErr("duration")
}

func (v Value) typeErr(want string) error {
	return fmt.Errorf("%s: %w: want %s, have %s", v.Pos(), ErrType, want, describe(v.V))
}

// describe names a value's type, with the value itself for scalars.
func describe(x any) string {
	switch x := x.(type) {
	case string:
		return "string " + strconv.Quote(x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("float %g", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case Map:
		return "block"
	case []Value:
		return "array"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", x)
}

// SyntaxError reports malformed input: where, and what was wrong.
type SyntaxError struct {
	File string // "" for Parse of a string
	Line int
	Col  int
	Msg  string
	Err  error // the underlying cause, if any (ErrUndefinedVariable, a read error...)
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
