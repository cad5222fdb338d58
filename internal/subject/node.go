package subject

// node is one level of the subscription trie. The path from the root spells
// a filter token by token; '*' and '>' tokens get their own child pointers so
// that matching a literal token costs one map lookup plus two pointer checks.
type node[T comparable] struct {
	lit  map[string]*node[T] // children by literal token
	star *node[T]            // child for a '*' token
	gt   *node[T]            // child for a final '>' token

	filter string // the filter ending here; set while the node holds values
	plain  members[T]
	queues []*qset[T] // few per filter in practice, so a slice beats a map
}

type qset[T comparable] struct {
	name    string
	members members[T]
}

// child returns the child for tok, or nil.
func (n *node[T]) child(tok string) *node[T] {
	switch tok {
	case "*":
		return n.star
	case ">":
		return n.gt
	}
	return n.lit[tok]
}

// childOrNew returns the child for tok, creating it when missing.
func (n *node[T]) childOrNew(tok string) *node[T] {
	if c := n.child(tok); c != nil {
		return c
	}
	c := &node[T]{}
	switch tok {
	case "*":
		n.star = c
	case ">":
		n.gt = c
	default:
		if n.lit == nil {
			n.lit = make(map[string]*node[T])
		}
		n.lit[tok] = c
	}
	return c
}

func (n *node[T]) dropChild(tok string) {
	switch tok {
	case "*":
		n.star = nil
	case ">":
		n.gt = nil
	default:
		delete(n.lit, tok)
		if len(n.lit) == 0 {
			n.lit = nil
		}
	}
}

// members returns the set for queue ("" for plain), or nil.
func (n *node[T]) members(queue string) *members[T] {
	if queue == "" {
		return &n.plain
	}
	for _, q := range n.queues {
		if q.name == queue {
			return &q.members
		}
	}
	return nil
}

func (n *node[T]) add(queue string, v T) bool {
	m := n.members(queue)
	if m == nil {
		q := &qset[T]{name: queue}
		n.queues = append(n.queues, q)
		m = &q.members
	}
	return m.add(v)
}

func (n *node[T]) remove(queue string, v T) bool {
	m := n.members(queue)
	if m == nil || !m.remove(v) {
		return false
	}
	if queue != "" && m.len() == 0 {
		for i, q := range n.queues {
			if q.name == queue {
				last := len(n.queues) - 1
				n.queues[i] = n.queues[last]
				n.queues[last] = nil
				n.queues = n.queues[:last]
				break
			}
		}
		if len(n.queues) == 0 {
			n.queues = nil
		}
	}
	return true
}

// holds reports whether values end at n.
func (n *node[T]) holds() bool { return n.plain.len() > 0 || len(n.queues) > 0 }

// unused reports whether n can be pruned from the trie.
func (n *node[T]) unused() bool {
	return !n.holds() && len(n.lit) == 0 && n.star == nil && n.gt == nil
}

// members is a set of values kept as a slice for fast copying into results.
// Past posThreshold values it also keeps a position map, so that removing
// one of many subscribers to the same filter stays O(1).
type members[T comparable] struct {
	list []T
	pos  map[T]int
}

const posThreshold = 16

func (m *members[T]) len() int { return len(m.list) }

func (m *members[T]) index(v T) int {
	if m.pos != nil {
		if i, ok := m.pos[v]; ok {
			return i
		}
		return -1
	}
	for i, w := range m.list {
		if w == v {
			return i
		}
	}
	return -1
}

func (m *members[T]) add(v T) bool {
	if m.index(v) >= 0 {
		return false
	}
	m.list = append(m.list, v)
	switch {
	case m.pos != nil:
		m.pos[v] = len(m.list) - 1
	case len(m.list) > posThreshold:
		m.pos = make(map[T]int, len(m.list))
		for i, w := range m.list {
			m.pos[w] = i
		}
	}
	return true
}

func (m *members[T]) remove(v T) bool {
	i := m.index(v)
	if i < 0 {
		return false
	}
	last := len(m.list) - 1
	m.list[i] = m.list[last]
	var zero T
	m.list[last] = zero // let the value be collected
	m.list = m.list[:last]
	if m.pos != nil {
		if i < last {
			m.pos[m.list[i]] = i
		}
		delete(m.pos, v)
	}
	if len(m.list) == 0 {
		m.list, m.pos = nil, nil
	}
	return true
}
