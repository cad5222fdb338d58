package jetstream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// Redrive (docs/dead-letter-api.md): a task walks a dead-letter stream from
// its first message up to the last one when the task started, and sends
// every dead letter its filter matches back: reopen makes the source message
// pending again for its consumer, republish publishes a restored copy. The
// task runs on its own goroutine, owned by the JetStream subsystem (js.wg,
// stopped by js.stop), and checkpoints its progress in
// <store_dir>/jetstream/$G/redrive/<id>/meta.json, so that it resumes after
// a restart. Work done after the last checkpoint is done again on resume,
// and each step is safe to repeat: a republish carries a Nats-Msg-Id made
// of the task id and the dead letter's sequence (the target stream drops
// the repeat within its duplicate window), a reopen of a message already
// pending again is a no-op, and a dead letter deleted by action move is
// not found again.

// Task states.
const (
	redriveRunning   = "running"
	redrivePaused    = "paused"
	redriveFinished  = "finished"
	redriveCancelled = "cancelled"
	redriveFailed    = "failed"
)

const (
	redriveModeReopen    = "reopen"
	redriveModeRepublish = "republish"
	redriveActionMove    = "move"
	redriveActionCopy    = "copy"

	redriveSaveEvery  = 64          // messages between checkpoints
	redriveSavePeriod = time.Second // or this long
	redriveAckWait    = 5 * time.Second
	redriveKeepDone   = 100 // ended tasks kept for INFO and LIST
	redriveDirName    = "redrive"
)

// redriveRequest is the body of DLQ.REDRIVE.START.<dlq>.
type redriveRequest struct {
	Filter  redriveFilter `json:"filter"`
	Mode    string        `json:"mode"`
	Subject string        `json:"subject,omitempty"`
	Action  string        `json:"action,omitempty"`
	Rate    float64       `json:"rate,omitempty"`
	DryRun  bool          `json:"dry_run,omitempty"`
}

// redriveFilter selects dead letters by their Holdfast-Dlq-* headers.
type redriveFilter struct {
	Stream   string     `json:"stream,omitempty"`
	Consumer string     `json:"consumer,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	Subject  string     `json:"subject,omitempty"`  // original subject; wildcards allowed
	SeqFrom  uint64     `json:"seq_from,omitempty"` // source stream sequences
	SeqTo    uint64     `json:"seq_to,omitempty"`
	Since    *time.Time `json:"since,omitempty"` // dead-lettered at or after
}

// redriveInfo is a task as INFO reports it and as its checkpoint stores it.
type redriveInfo struct {
	ID        string         `json:"id"`
	DLQ       string         `json:"dlq"`
	Config    redriveRequest `json:"config"`
	State     string         `json:"state"`
	Created   time.Time      `json:"created"`
	Updated   time.Time      `json:"updated"`
	Ended     *time.Time     `json:"ended,omitempty"`
	UpTo      uint64         `json:"up_to"`    // last dead-letter sequence the task looks at
	LastSeq   uint64         `json:"last_seq"` // last dead-letter sequence processed
	Matched   uint64         `json:"matched"`
	Done      uint64         `json:"done"`
	Failed    uint64         `json:"failed"`
	Skipped   uint64         `json:"skipped"` // messages the filter did not select
	LastError string         `json:"last_error,omitempty"`
}

func (i *redriveInfo) ended() bool {
	return i.State == redriveFinished || i.State == redriveCancelled || i.State == redriveFailed
}

// redriveTask is one redrive. Its goroutine is the only writer of its
// checkpoint; the API changes its state under mu and pokes ctl.
type redriveTask struct {
	js  *JetStream
	dir string
	ctl chan struct{} // buffered 1: the state changed

	mu struct {
		sync.Mutex
		info redriveInfo
	}
}

// redriveSet is the subsystem's tasks, by id; mu is a leaf lock.
type redriveSet struct {
	mu    sync.Mutex
	tasks map[string]*redriveTask
}

func (js *JetStream) redriveDir() string {
	return filepath.Join(js.opts.StoreDir, "jetstream", "$G", redriveDirName)
}

func (t *redriveTask) info() redriveInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mu.info
}

func (t *redriveTask) poke() {
	select {
	case t.ctl <- struct{}{}:
	default:
	}
}

// errRedriveState: a task cannot change to the requested state.
var errRedriveState = errors.New("jetstream: redrive task state")

// setState applies PAUSE, RESUME or CANCEL.
func (t *redriveTask) setState(to string) (redriveInfo, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	from := t.mu.info.State
	ok := false
	switch to {
	case redrivePaused:
		ok = from == redriveRunning
	case redriveRunning:
		ok = from == redrivePaused
	case redriveCancelled:
		ok = from == redriveRunning || from == redrivePaused
	}
	if !ok {
		return t.mu.info, fmt.Errorf("%w: task %s is %s", errRedriveState, t.mu.info.ID, from)
	}
	t.mu.info.State = to
	t.mu.info.Updated = time.Now().UTC()
	t.poke()
	return t.mu.info, nil
}

func (s *redriveSet) get(id string) *redriveTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks[id]
}

func (s *redriveSet) add(t *redriveTask, id string) {
	s.mu.Lock()
	if s.tasks == nil {
		s.tasks = make(map[string]*redriveTask)
	}
	s.tasks[id] = t
	s.mu.Unlock()
}

// list returns the tasks' infos, oldest first.
func (s *redriveSet) list() []redriveInfo {
	s.mu.Lock()
	tasks := make([]*redriveTask, 0, len(s.tasks))
	for _, t := range s.tasks {
		tasks = append(tasks, t)
	}
	s.mu.Unlock()
	out := make([]redriveInfo, 0, len(tasks))
	for _, t := range tasks {
		out = append(out, t.info())
	}
	slices.SortFunc(out, func(a, b redriveInfo) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prune forgets the oldest ended tasks beyond redriveKeepDone, with their
// checkpoints.
func (s *redriveSet) prune(js *JetStream) {
	var ended []redriveInfo
	for _, i := range s.list() {
		if i.ended() {
			ended = append(ended, i)
		}
	}
	for _, i := range ended[:max(len(ended)-redriveKeepDone, 0)] {
		s.mu.Lock()
		delete(s.tasks, i.ID)
		s.mu.Unlock()
		if err := os.RemoveAll(filepath.Join(js.redriveDir(), i.ID)); err != nil {
			js.log.Warn("redrive checkpoint not removed", "task", i.ID, "error", err)
		}
	}
}

// startRedrive creates a task for a validated request and starts it.
func (js *JetStream) startRedrive(dlq *stream, req redriveRequest) (redriveInfo, error) {
	now := time.Now().UTC()
	id := newID()
	t := &redriveTask{js: js, dir: filepath.Join(js.redriveDir(), id), ctl: make(chan struct{}, 1)}
	t.mu.info = redriveInfo{ID: id, DLQ: dlq.name, Config: req, State: redriveRunning, Created: now, Updated: now,
		UpTo: dlq.store.State().LastSeq}
	info := t.mu.info // t is shared from add on
	if err := writeMetaFile(t.dir, info); err != nil {
		return redriveInfo{}, fmt.Errorf("jetstream: redrive checkpoint %s: %w", t.dir, err)
	}
	js.redrive.add(t, id)
	js.log.Info("redrive started", "task", id, "dlq", dlq.name, "mode", req.Mode, "up_to", info.UpTo)
	js.adviseRedrive("STARTED", info)
	js.wg.Go(t.run)
	return info, nil
}

// recoverRedrives loads the checkpoints of earlier tasks and resumes the
// running and paused ones. A damaged checkpoint is reported and skipped.
func (js *JetStream) recoverRedrives() {
	dir := js.redriveDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			js.log.Error("redrive tasks not recovered", "dir", dir, "error", err)
		}
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t := &redriveTask{js: js, dir: filepath.Join(dir, e.Name()), ctl: make(chan struct{}, 1)}
		if err := readMetaFile(t.dir, &t.mu.info); err != nil {
			js.log.Error("redrive checkpoint unreadable", "dir", t.dir, "error", err)
			continue
		}
		info := t.mu.info // t is shared from add on
		js.redrive.add(t, info.ID)
		if !info.ended() {
			js.log.Info("redrive resumed", "task", info.ID, "state", info.State, "last_seq", info.LastSeq)
			js.wg.Go(t.run)
		}
	}
}

// save writes the checkpoint; only the task's goroutine calls it.
func (t *redriveTask) save() {
	info := t.info()
	if err := writeMetaFile(t.dir, info); err != nil {
		t.js.log.Error("redrive checkpoint not written", "task", info.ID, "error", err)
	}
}

// redriveAdvisory reports a task starting and ending on
// $HF.EVENT.ADVISORY.DLQ.REDRIVE.<STARTED|FINISHED|CANCELLED|FAILED>.<dlq>.
type redriveAdvisory struct {
	jsapi.TypedEvent
	Task redriveInfo `json:"task"`
}

const redriveAdvisoryType = "io.holdfast.advisory.v1.dlq_redrive"

func (js *JetStream) adviseRedrive(kind string, info redriveInfo) {
	js.advise(fmt.Sprintf(dlqAdvisoryFmt, "REDRIVE", kind, info.DLQ),
		&redriveAdvisory{TypedEvent: newEvent(redriveAdvisoryType), Task: info})
}

// redriveMsgID is the Nats-Msg-Id of a republished dead letter.
func redriveMsgID(task string, seq uint64) string {
	return "hf-redrive-" + task + "-" + strconv.FormatUint(seq, 10)
}
