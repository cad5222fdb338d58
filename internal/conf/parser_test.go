package conf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// plain strips positions so that trees can be compared with ==.
func plain(v any) any {
	switch x := v.(type) {
	case Value:
		return plain(x.V)
	case Map:
		out := map[string]any{}
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []Value:
		out := []any{}
		for _, e := range x {
			out = append(out, plain(e))
		}
		return out
	}
	return v
}

type obj = map[string]any
type arr = []any

func TestParseSyntax(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want obj
	}{
		{"colon", "foo: 2", obj{"foo": int64(2)}},
		{"equals", "foo = 2", obj{"foo": int64(2)}},
		{"space", "foo 2", obj{"foo": int64(2)}},
		{"tab", "foo\t2", obj{"foo": int64(2)}},
		{"no space after colon", "foo:2", obj{"foo": int64(2)}},
		{"space before colon", "foo : 2", obj{"foo": int64(2)}},
		{"hash comment", "# c\nfoo: 1 # trailing\n#end", obj{"foo": int64(1)}},
		{"slash comment", "// c\nfoo: 1 // trailing", obj{"foo": int64(1)}},
		{"semicolons", "a: 1; b: 2;", obj{"a": int64(1), "b": int64(2)}},
		{"commas", "a: 1, b: 2", obj{"a": int64(1), "b": int64(2)}},
		{"crlf", "a: 1\r\nb: x\r\n", obj{"a": int64(1), "b": "x"}},
		{"double quoted", `s: "a b"`, obj{"s": "a b"}},
		{"escapes", `s: "t\tn\nr\rq\"b\\x\x41"`, obj{"s": "t\tn\nr\rq\"b\\xA"}},
		{"single quoted raw", `s: 'a\tb "c"'`, obj{"s": `a\tb "c"`}},
		{"unquoted path", "store_dir: /var/lib/x", obj{"store_dir": "/var/lib/x"}},
		{"unquoted url", "url: nats://h:4222/x", obj{"url": "nats://h:4222/x"}},
		{"unquoted with hash", "tok: a#b", obj{"tok": "a#b"}},
		{"unquoted escape", `s: a\tb`, obj{"s": "a\tb"}},
		{"ip port", "listen: 127.0.0.1:4222", obj{"listen": "127.0.0.1:4222"}},
		{"digit string", "token: 3secret", obj{"token": "3secret"}},
		{"quoted key dq", `"a b": 1`, obj{"a b": int64(1)}},
		{"quoted key sq", `'a:b' = 1`, obj{"a:b": int64(1)}},
		{"negative", "n: -5", obj{"n": int64(-5)}},
		{"float", "f: 2.5", obj{"f": 2.5}},
		{"negative float", "f: -0.5", obj{"f": -0.5}},
		{"true", "a: true, b: TRUE, c: yes, d: On", obj{"a": true, "b": true, "c": true, "d": true}},
		{"false", "a: false, b: no, c: off, d: NO", obj{"a": false, "b": false, "c": false, "d": false}},
		{"quoted bool is string", `a: "true"`, obj{"a": "true"}},
		{"duration unquoted", "d: 10s", obj{"d": "10s"}},
		{"duration quoted", `d: "2m"`, obj{"d": "2m"}},
		{"always", "sync_interval: always", obj{"sync_interval": "always"}},
		{"block", "a { b: 1 }", obj{"a": obj{"b": int64(1)}}},
		{"block colon", "a: { b: 1 }", obj{"a": obj{"b": int64(1)}}},
		{"block equals", "a = {b = 1}", obj{"a": obj{"b": int64(1)}}},
		{"block no space", "a{b:1}", obj{"a": obj{"b": int64(1)}}},
		{"block brace next line", "a\n{\n b: 1\n}", obj{"a": obj{"b": int64(1)}}},
		{"empty block", "a {}", obj{"a": obj{}}},
		{"nested blocks", "a { b { c { d: x } } }", obj{"a": obj{"b": obj{"c": obj{"d": "x"}}}}},
		{"block multiline", "a {\n  b: 1\n  c: 2; d: 3,\n}\n", obj{"a": obj{"b": int64(1), "c": int64(2), "d": int64(3)}}},
		{"array commas", `a: ["x", "y", "z"]`, obj{"a": arr{"x", "y", "z"}}},
		{"array newlines", "a: [\n  1\n  2 # c\n  // c\n  3\n]", obj{"a": arr{int64(1), int64(2), int64(3)}}},
		{"array trailing comma", "a: [1, 2,]", obj{"a": arr{int64(1), int64(2)}}},
		{"array empty", "a: []", obj{"a": arr{}}},
		{"array mixed", "a [1, b, 2.5, true, [c]]", obj{"a": arr{int64(1), "b", 2.5, true, arr{"c"}}}},
		{"array of maps", "users: [\n {user: a, password: p}\n {user: b}\n]",
			obj{"users": arr{obj{"user": "a", "password": "p"}, obj{"user": "b"}}}},
		{"json", `{"a": 1, "b": {"c": [true, "d"]}}`, obj{"a": int64(1), "b": obj{"c": arr{true, "d"}}}},
		{"duplicate key last wins", "a: 1\na: 2", obj{"a": int64(2)}},
		{"block string", "t: (\nline1\n  line2 )\n)\nu: 1", obj{"t": "\nline1\n  line2 )\n", "u": int64(1)}},
		{"bcrypt", "password: $2a$11$abc", obj{"password": "$2a$11$abc"}},
		{"include as key", "include: 5", obj{"include": int64(5)}},
		{"dollar quoted literal", `a: "$x"`, obj{"a": "$x"}},
		{"bom", "\ufeffa: 1", obj{"a": int64(1)}},
		{"empty", "", obj{}},
		{"only comments", "# x\n// y\n", obj{}},
		{"unicode", "name: héllo", obj{"name": "héllo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := plain(m); !reflect.DeepEqual(got, any(tt.want)) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSizeSuffixes(t *testing.T) {
	const k, ki = 1000, 1024
	tests := []struct {
		in   string
		want int64
	}{
		{"1", 1},
		{"1k", k}, {"1K", k}, {"1kb", ki}, {"1KB", ki}, {"1Kb", ki}, {"1ki", ki}, {"1KiB", ki},
		{"2m", 2 * k * k}, {"1M", k * k}, {"1MB", ki * ki}, {"1MiB", ki * ki},
		{"1G", k * k * k}, {"1GB", ki * ki * ki}, {"10gib", 10 * ki * ki * ki},
		{"1T", k * k * k * k}, {"1TB", ki * ki * ki * ki},
		{"1P", k * k * k * k * k}, {"1PB", ki * ki * ki * ki * ki},
		{"1E", k * k * k * k * k * k}, {"1EB", ki * ki * ki * ki * ki * ki},
		{"-1k", -k},
		{"64K", 64 * k},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := Parse("v: " + tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m["v"].Int()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %d, want %d", tt.in, got, tt.want)
			}
			if m["v"].Raw != tt.in {
				t.Errorf("Raw = %q, want %q", m["v"].Raw, tt.in)
			}
		})
	}
	for _, s := range []string{"1kbb", "1x", "1.5GB", "1e5", "1KBs"} {
		t.Run("string "+s, func(t *testing.T) {
			m, err := Parse("v: " + s)
			if err != nil {
				t.Fatal(err)
			}
			if m["v"].V != s {
				t.Errorf("got %#v, want string %q", m["v"].V, s)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	t.Setenv("HOLDFAST_CONF_TOKEN", "from-env")
	t.Setenv("HOLDFAST_CONF_SIZE", "1KB")
	t.Setenv("HOLDFAST_CONF_MAP", "{a: 1, b: [x]}")
	t.Setenv("HOLDFAST_CONF_WORDS", "two words")
	t.Setenv("HOLDFAST_CONF_SELF", "$HOLDFAST_CONF_SELF")
	t.Setenv("a", "env-a")
	tests := []struct {
		name string
		in   string
		path []string
		want any
	}{
		{"same block", "a: 1\nb: $a", []string{"b"}, int64(1)},
		{"enclosing block", "t: secret\nauth { token: $t }", []string{"auth", "token"}, "secret"},
		{"innermost wins", "a: 1\nx { a: 2, b: $a }", []string{"x", "b"}, int64(2)},
		{"block var not visible after", "x { a: 2 }\nb: $a", []string{"b"}, "env-a"},
		{"refers to block", "p { u: 1 }\nq: $p", []string{"q", "u"}, int64(1)},
		{"inside array", "a: 1\nl: [$a, 2]", []string{"l"}, arr{int64(1), int64(2)}},
		{"map in array", "a: 1\nl: [{b: $a}]", []string{"l"}, arr{obj{"b": int64(1)}}},
		{"env", "auth { token: $HOLDFAST_CONF_TOKEN }", []string{"auth", "token"}, "from-env"},
		{"env parsed as value", "v: $HOLDFAST_CONF_SIZE", []string{"v"}, int64(1024)},
		{"env block", "v: $HOLDFAST_CONF_MAP", []string{"v"}, obj{"a": int64(1), "b": arr{"x"}}},
		{"env words stay text", "v: $HOLDFAST_CONF_WORDS", []string{"v"}, "two words"},
		{"env self reference", "v: $HOLDFAST_CONF_SELF", []string{"v"}, "$HOLDFAST_CONF_SELF"},
		{"config beats env", "HOLDFAST_CONF_TOKEN: mine\nv: $HOLDFAST_CONF_TOKEN", []string{"v"}, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			v := lookup(t, m, tt.path...)
			if got := plain(v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}

	t.Run("reference position", func(t *testing.T) {
		m, err := Parse("a: 1\n\n  b: $a")
		if err != nil {
			t.Fatal(err)
		}
		if got := m["b"].Pos(); got != "3:6" {
			t.Errorf("Pos = %s, want 3:6", got)
		}
	})
	t.Run("undefined", func(t *testing.T) {
		_, err := Parse("a: 1\nb: $HOLDFAST_CONF_NOPE")
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrUndefinedVariable) {
			t.Fatalf("err = %v, want SyntaxError wrapping ErrUndefinedVariable", err)
		}
		if se.Line != 2 || se.Col != 4 || !strings.Contains(err.Error(), "$HOLDFAST_CONF_NOPE") {
			t.Errorf("err = %v (line %d col %d)", err, se.Line, se.Col)
		}
	})
	t.Run("not yet defined", func(t *testing.T) {
		if _, err := Parse("b: $HOLDFAST_CONF_LATER\nHOLDFAST_CONF_LATER: 1"); !errors.Is(err, ErrUndefinedVariable) {
			t.Fatalf("err = %v, want ErrUndefinedVariable", err)
		}
	})
}

func lookup(t *testing.T, m Map, path ...string) Value {
	t.Helper()
	var v Value
	for i, k := range path {
		var ok bool
		if v, ok = m[k]; !ok {
			t.Fatalf("no key %q in %v", k, plain(m))
		}
		if i < len(path)-1 {
			var err error
			if m, err = v.Map(); err != nil {
				t.Fatal(err)
			}
		}
	}
	return v
}

func TestPositions(t *testing.T) {
	m, err := Parse("a: 1\nb {\n  c: [x,\n    \"y\"]\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m["b"].Map()
	c, _ := b["c"].Array()
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"a", m["a"], "1:4"},
		{"b", m["b"], "2:3"},
		{"c", b["c"], "3:6"},
		{"c0", c[0], "3:7"},
		{"c1", c[1], "4:5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.Pos(); got != tt.want {
				t.Errorf("Pos = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"unclosed block", "a: 1\nb {\n c: 1\n", 2, 3, "not closed"},
		{"unclosed array", "a: [1,\n2", 1, 4, "not closed"},
		{"stray close", "a: 1\n}", 2, 1, "unexpected"},
		{"key without value", "a: 1\nport\nb: 2", 2, 1, `"port" has no value`},
		{"key colon eol", "a:\n1", 1, 1, `"a" has no value`},
		{"key at eof", "a: 1\nb:", 2, 1, `"b" has no value`},
		{"unterminated dq", "a: 1\nb: \"xyz\n", 2, 4, "unterminated"},
		{"unterminated sq", "b: 'xyz", 1, 4, "unterminated"},
		{"bad escape", `s: "a\qb"`, 1, 4, "invalid escape"},
		{"bad hex", `s: "\xZZ"`, 1, 4, "hexadecimal"},
		{"junk after value", "a: \"x\" y", 1, 8, "expected a line break"},
		{"array junk", "a: [\"x\" y]", 1, 9, "expected ',' or ']'"},
		{"double comma", "a: [1,,2]", 1, 7, "expected a value"},
		{"int overflow", "a: 99999999999999999999", 1, 4, "out of range"},
		{"suffix overflow", "a: 9999999999EB", 1, 4, "out of range"},
		{"empty variable", "a: $", 1, 4, "variable name"},
		{"bad key", "a: 1\n: 2", 2, 1, "expected a key"},
		{"block string unterminated", "t: (\nabc", 1, 4, "unterminated"},
		{"after json", "{a: 1} b", 1, 8, "after the closing"},
		{"deep", "a: " + strings.Repeat("[", 300), 1, 204, "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) err = %v, want *SyntaxError", tt.in, err)
			}
			if se.Line != tt.line || se.Col != tt.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", se.Line, se.Col, tt.line, tt.col, err)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.msg)
			}
		})
	}
}
