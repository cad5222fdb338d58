package subject

// Result is the set of values whose filters match one subject. A Result
// returned by Index is shared with other callers and with the index's cache:
// it must not be modified.
type Result[T comparable] struct {
	// Plain holds the values subscribed without a queue group; each gets
	// every message.
	Plain []T
	// Queues holds one entry per queue name. Members of groups with the same
	// name under different matching filters are merged into one Group, as
	// nats-server does, so a message goes to one member of each name.
	Queues []Group[T]
}

// Group is the members of one queue group that match a subject.
type Group[T comparable] struct {
	Name    string
	Members []T
}

// Empty reports whether r holds no values; a nil Result is empty.
func (r *Result[T]) Empty() bool {
	return r == nil || (len(r.Plain) == 0 && len(r.Queues) == 0)
}

// Len returns the number of values in r, counting each queue member.
func (r *Result[T]) Len() int {
	if r == nil {
		return 0
	}
	n := len(r.Plain)
	for _, g := range r.Queues {
		n += len(g.Members)
	}
	return n
}

// newResult copies the values held by nodes into a new Result. All values
// share one backing array, cut with full slice expressions so that nothing
// can append from one part into the next; a miss costs three allocations
// however many nodes matched.
func newResult[T comparable](nodes []*node[T]) *Result[T] {
	r := &Result[T]{}
	var countBuf [8]int
	counts := countBuf[:0] // members per entry of r.Queues
	plain, total := 0, 0
	for _, n := range nodes {
		plain += len(n.plain.list)
		total += len(n.plain.list)
		for _, q := range n.queues {
			i := r.group(q.name)
			if i < 0 {
				i = len(r.Queues)
				r.Queues = append(r.Queues, Group[T]{Name: q.name})
				counts = append(counts, 0)
			}
			counts[i] += len(q.members.list)
			total += len(q.members.list)
		}
	}
	all := make([]T, 0, total)
	r.Plain = all[0:0:plain]
	off := plain
	for i, c := range counts {
		r.Queues[i].Members = all[off : off : off+c]
		off += c
	}
	for _, n := range nodes {
		r.Plain = append(r.Plain, n.plain.list...)
		for _, q := range n.queues {
			g := &r.Queues[r.group(q.name)]
			g.Members = append(g.Members, q.members.list...)
		}
	}
	if len(r.Plain) == 0 {
		r.Plain = nil
	}
	return r
}

// group returns the index of the group called name in r.Queues, or -1.
func (r *Result[T]) group(name string) int {
	for i := range r.Queues {
		if r.Queues[i].Name == name {
			return i
		}
	}
	return -1
}
