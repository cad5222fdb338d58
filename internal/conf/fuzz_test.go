package conf

import (
	"errors"
	"testing"
)

// FuzzParse checks that no input panics or hangs the parser, that every
// error is a *SyntaxError, and that every value has a position. Includes
// are refused and the environment is empty, so the fuzzer cannot read
// files or depend on the machine.
func FuzzParse(f *testing.F) {
	seeds := []string{
		sample,
		"a: 1; b = 2, c 3",
		"a { b: [1, 2.5, x, \"y\", 'z', {c: true}] }",
		"a: 1\nb: $a\nc { d: $a }",
		"include other.conf",
		"t: (\nraw\n)\n",
		`{"json": [1, 2]}`,
		`s: "\x41\t\"\\"`,
		"x: 1KiB, y: -2m, z: 1.5GB",
		"a\n{\n}\n",
		"// c\n# c\n",
		"a: [\n1\n2,\n]",
		"a: $2a$10$xyz",
		"a: 'unterminated",
		"{{{{",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		s := &session{
			readFile:  func(string) ([]byte, error) { return nil, errors.New("includes disabled") },
			lookupEnv: func(string) (string, bool) { return "", false },
		}
		m, err := s.parse(data, "fuzz.conf")
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("error %v (%T) is not a positioned *SyntaxError", err, err)
			}
			return
		}
		budget := 100000 // variables share subtrees, so a walk can be exponential
		checkPositions(t, Value{V: m, Line: 1, Col: 1}, 0, &budget)
	})
}

func checkPositions(t *testing.T, v Value, depth int, budget *int) {
	if *budget--; *budget < 0 {
		return
	}
	if v.Line < 1 || v.Col < 1 {
		t.Fatalf("value %#v has no position", v.V)
	}
	if depth > maxDepth+1 {
		t.Fatalf("tree deeper than %d", maxDepth)
	}
	switch x := v.V.(type) {
	case Map:
		for _, e := range x {
			checkPositions(t, e, depth+1, budget)
		}
	case []Value:
		for _, e := range x {
			checkPositions(t, e, depth+1, budget)
		}
	case string, int64, float64, bool:
	default:
		t.Fatalf("unexpected value type %T", v.V)
	}
}
