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

// addNode appends the subscriptions stored at n to r.
func (r *Result[T]) addNode(n *node[T]) {
	r.Plain = append(r.Plain, n.plain.list...)
	for _, q := range n.queues {
		r.addGroup(q.name, q.members.list)
	}
}

func (r *Result[T]) addGroup(name string, members []T) {
	for i := range r.Queues {
		if r.Queues[i].Name == name {
			r.Queues[i].Members = append(r.Queues[i].Members, members...)
			return
		}
	}
	// Copy: the node's slice changes under later writes, the result must not.
	r.Queues = append(r.Queues, Group[T]{Name: name, Members: append([]T(nil), members...)})
}
