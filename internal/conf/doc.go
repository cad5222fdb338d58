// Package conf parses the nats-server configuration file format into a
// tree of positioned values. It knows the syntax only: which keys exist and
// what they mean is for the caller (cmd/holdfast maps the tree onto
// server.Options), and so is reading durations and sizes into options,
// with the typed accessors on Value giving errors that name the position.
//
// The syntax follows the nats-server documentation (docs.nats.io,
// "Configuring NATS Server") and the behaviour of nats-server's own parser:
//
//	# a comment; so is // this
//	server_name: n1                 # key: value
//	port = 4222                     # key = value
//	http_port 8222                  # key value
//	listen: 127.0.0.1:4222; debug: true   # ';' or ',' also end an entry
//	"quoted key": 'single quoted, no escapes'
//	greeting: "tab\there \x41 \"q\" \\"   # escapes: \t \n \r \" \\ \xHH
//	store_dir: /var/lib/x           # unquoted strings run to space, newline , ; ] }
//	max_payload: 1MB                # integers: k m g t p e = 1000^n;
//	max_file_store: 10GiB           #   kb ki kib (any case) = 1024^n
//	ratio: 0.75                     # floats need a digit on both sides of '.'
//	trace: off                      # true yes on / false no off, any case, unquoted
//	ping_interval: "2m"             # durations are strings; see Value.Duration
//	jetstream { store_dir: "/data" } # blocks, with or without ':' or '='
//	routes = [                      # arrays: commas or line breaks, trailing comma ok
//	  nats://a:6222, nats://b:6222
//	]
//	users: [ {user: a, password: $PASS} ]   # arrays of blocks
//	include ./auth.conf             # directive: no ':' or '=' after include
//	text: (
//	raw multi-line text, ends at a ')' alone on a line
//	)
//
// Details that match nats-server:
//
//   - An unquoted value that starts like a number but is not one ("3secret",
//     "10s", "127.0.0.1:4222") is a string. An unquoted "2m" however is the
//     integer 2,000,000, and "1K" is 1000 while "1KB" is 1024: quote values
//     meant as text.
//   - $NAME refers to a key set earlier in the same block or an enclosing
//     block (the innermost wins), else to the environment variable NAME,
//     whose text is parsed as a value ("1KB" becomes 1024). Anything else is
//     a *SyntaxError wrapping ErrUndefinedVariable. Variables are only
//     recognised unquoted: "$x" is the literal string. Words starting with
//     a bcrypt prefix ($2a$, $2b$, $2y$) are strings, not variables.
//   - include paths are relative to the directory of the including file
//     (the current directory for Parse). The included file is parsed on its
//     own, with its own variable scope, and its top-level keys are merged
//     into the block holding the include, replacing existing keys.
//   - Unquoted values decode the same backslash escapes as double-quoted
//     ones (so C:\temp holds a tab); single-quoted values decode none.
//   - A key that appears twice keeps the last value.
//   - A value starts on its key's line; only a block's '{' may follow on
//     the next line.
//   - The whole file may be wrapped in braces, so JSON is accepted.
//
// Deliberate differences and omissions:
//
//   - A cycle of includes is reported (ErrIncludeCycle) instead of
//     recursing; absolute include paths are used as they are.
//   - Datetimes (2006-01-02T15:04:05Z) are not a type: they are strings.
//   - Unquoted exponent floats (1e5) and malformed numbers ("1.5GB") are
//     strings rather than errors, so the caller's typed accessor reports them.
//   - Nesting is limited to 200 levels and include chains to 32 files.
//   - An environment value that is not exactly one value is used as a
//     plain string.
//   - nats-server's "pedantic" mode (unknown-key checks, warnings) is the
//     caller's business; positions are always recorded.
//
// Every Value records its file, line and column (for a $VAR, those of the
// reference), and Raw keeps the source text of unquoted scalars. The
// accessors (Str, Int, Float, Bool, Map, Array, Duration) return errors
// that start with that position and wrap ErrType on a type mismatch.
//
// Values reached through a variable share the referenced Map or slice,
// so callers must not modify the tree they are given.
package conf
