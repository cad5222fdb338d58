package jetstream

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/holdfast-mq/holdfast/internal/subject"
)

// transform maps subjects matching src onto dest, the subset of nats-server
// subject transforms republish needs: dest tokens are literals, "$N" or
// "{{wildcard(N)}}" (the N-th '*' of src), or a final ">" (the rest of the
// subject, allowed only when src ends in ">", which then requires it).
type transform struct {
	src  string
	dest []destToken
}

type destToken struct {
	literal string
	wild    int  // 1-based '*' of src; 0 for a literal
	rest    bool // ">"
}

// transformError says what is wrong with a transform; Source tells
// whether the source (10155) or the destination (10156) is at fault.
type transformError struct {
	Source bool
	Detail string
}

func (e *transformError) Error() string { return e.Detail }

var (
	errTransform  = &transformError{Detail: "invalid subject"}
	wildcardToken = regexp.MustCompile(`^\{\{\s*[wW]ildcard\s*\(\s*(\d+)\s*\)\s*\}\}$`)
)

func newTransform(src, dest string) (*transform, error) {
	if !subject.ValidSubject(src) {
		return nil, &transformError{Source: true, Detail: "invalid subject " + src}
	}
	if !subject.ValidSubject(strings.ReplaceAll(dest, " ", "")) {
		return nil, errTransform
	}
	srcToks := strings.Split(src, ".")
	wilds := 0
	for _, t := range srcToks {
		if t == "*" {
			wilds++
		}
	}
	srcRest := srcToks[len(srcToks)-1] == ">"
	tr := &transform{src: src}
	destToks := strings.Split(dest, ".")
	for i, t := range destToks {
		var n int
		switch {
		case t == ">":
			if !srcRest || i != len(destToks)-1 {
				return nil, errTransform
			}
			tr.dest = append(tr.dest, destToken{rest: true})
			continue
		case t == "*":
			return nil, errTransform
		case strings.HasPrefix(t, "$"):
			v, err := strconv.Atoi(t[1:])
			if err != nil {
				return nil, errTransform
			}
			n = v
		case strings.HasPrefix(t, "{{"):
			m := wildcardToken.FindStringSubmatch(t)
			if m == nil {
				return nil, errTransform
			}
			n, _ = strconv.Atoi(m[1])
		default:
			tr.dest = append(tr.dest, destToken{literal: t})
			continue
		}
		if n < 1 || n > wilds {
			return nil, &transformError{Detail: "invalid mapping destination: wildcard index out of range in " +
				t + ": [" + strconv.Itoa(n) + "]"}
		}
		tr.dest = append(tr.dest, destToken{wild: n})
	}
	if srcRest && !tr.dest[len(tr.dest)-1].rest {
		return nil, errTransform
	}
	return tr, nil
}

// apply returns the destination of subj, or false when src does not match.
func (tr *transform) apply(subj string) (string, bool) {
	if !subject.Match(tr.src, subj) {
		return "", false
	}
	srcToks := strings.Split(tr.src, ".")
	toks := strings.Split(subj, ".")
	var wilds []string
	rest := ""
	for i, t := range srcToks {
		switch t {
		case "*":
			wilds = append(wilds, toks[i])
		case ">":
			rest = strings.Join(toks[i:], ".")
		}
	}
	out := make([]string, 0, len(tr.dest))
	for _, d := range tr.dest {
		switch {
		case d.rest:
			out = append(out, rest)
		case d.wild > 0:
			out = append(out, wilds[d.wild-1])
		default:
			out = append(out, d.literal)
		}
	}
	return strings.Join(out, "."), true
}
