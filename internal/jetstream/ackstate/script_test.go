package ackstate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt scripts")

// TestScripts runs the scenario scripts in testdata. Each block is a command
// line, a "----" line, and the expected output up to a blank line:
//
//	new ack=explicit wait=30s max=3 backoff=1s,5s
//	deliver seq=1 t=0s
//	ack seq=1
//	nak seq=2 t=1s delay=5s
//	term seq=3
//	wpi seq=4 t=2s
//	tick t=31s
//	redeliver t=32s
//	restore t=40s        (snapshot, then rebuild from it)
//	pending seq=4        (IsPending)
//	delivered-at seq=4   (DeliveredAt)
//	reset seq=9          (Reset: next delivery after 9)
//	skip seq=9           (SkipTo: a purge removed everything up to 9)
//	state
//
// Dead letters: "new ... dlq=max_deliveries,terminated history=3
// nakbackoff=1s,5s", "deliver seq=1 t=0s client=c1", "term seq=1 t=1s
// reason=bad", "nak seq=1 t=1s err=boom", "dead-done seq=1" (DeadLettered),
// "dead-park seq=1 t=1s" (DeadLetterParked), "dead-owed seq=1 why=expired
// t=1s" (DeadLetterOwed), "reopen seq=1", "history seq=1".
//
// Times are offsets from zero. Run with -rewrite to accept new output.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScript(t, file) })
	}
}

func runScript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var st *State
	var cfg Config
	blocks := strings.Split(strings.TrimRight(string(data), "\n")+"\n", "\n\n")
	for _, block := range blocks {
		block = strings.TrimLeft(block, "\n")
		if block == "" {
			continue
		}
		cmdPart, want, found := strings.Cut(block+"\n", "----\n")
		if !found {
			t.Fatalf("%s: block without ----: %q", file, block)
		}
		var got strings.Builder
		for _, line := range strings.Split(strings.TrimSpace(cmdPart), "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			res := exec(t, &st, &cfg, line)
			got.WriteString(res)
		}
		out.WriteString(cmdPart)
		out.WriteString("----\n")
		out.WriteString(got.String())
		out.WriteString("\n")
		if !*rewrite && strings.TrimSpace(got.String()) != strings.TrimSpace(want) {
			t.Errorf("%s: %s\n got:\n%s\nwant:\n%s", file, strings.TrimSpace(cmdPart), got.String(), want)
		}
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, st **State, cfg *Config, line string) string {
	t.Helper()
	fields := strings.Fields(line)
	args := map[string]string{}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		args[k] = v
	}
	seq := func() uint64 {
		n, err := strconv.ParseUint(args["seq"], 10, 64)
		if err != nil {
			t.Fatalf("%q: bad seq", line)
		}
		return n
	}
	at := func(key string) int64 {
		if args[key] == "" {
			return 0
		}
		d, err := time.ParseDuration(args[key])
		if err != nil {
			t.Fatalf("%q: bad %s", line, key)
		}
		return int64(d)
	}
	s := *st
	switch fields[0] {
	case "new":
		*cfg = Config{AckPolicy: map[string]AckPolicy{"explicit": AckExplicit, "all": AckAll, "none": AckNone}[args["ack"]]}
		cfg.AckWait = time.Duration(at("wait"))
		cfg.MaxDeliver, _ = strconv.Atoi(args["max"])
		if b := args["backoff"]; b != "" {
			for _, part := range strings.Split(b, ",") {
				d, err := time.ParseDuration(part)
				if err != nil {
					t.Fatalf("%q: bad backoff", line)
				}
				cfg.BackOff = append(cfg.BackOff, d)
			}
		}
		if b := args["nakbackoff"]; b != "" {
			for _, part := range strings.Split(b, ",") {
				d, err := time.ParseDuration(part)
				if err != nil {
					t.Fatalf("%q: bad nakbackoff", line)
				}
				cfg.NakBackoff = append(cfg.NakBackoff, d)
			}
		}
		if d := args["dlq"]; d != "" {
			for _, name := range strings.Split(d, ",") {
				r, ok := ParseDLReason(name)
				if !ok {
					t.Fatalf("%q: bad dlq reason", line)
				}
				cfg.DeadLetter = cfg.DeadLetter.With(r)
			}
		}
		cfg.History, _ = strconv.Atoi(args["history"])
		start, _ := strconv.ParseUint(args["start"], 10, 64)
		*st = New(*cfg, start)
		return "ok\n"
	case "deliver":
		dseq, n := s.DeliverTo(seq(), at("t"), args["client"])
		return fmt.Sprintf("dseq=%d count=%d\n", dseq, n)
	case "redeliver":
		q, ok := s.NextRedelivery()
		if !ok {
			return "none\n"
		}
		dseq, n := s.Deliver(q, at("t"))
		return fmt.Sprintf("seq=%d dseq=%d count=%d\n", q, dseq, n)
	case "ack":
		return s.Ack(seq()).String() + "\n"
	case "term":
		res, ev := s.TermAt(seq(), at("t"), args["reason"])
		return res.String() + eventsString(evList(ev)) + "\n"
	case "dead-done":
		return fmt.Sprintf("%v\n", s.DeadLettered(seq()))
	case "dead-owed":
		why, ok := ParseDLReason(args["why"])
		if !ok {
			t.Fatalf("%q: bad why", line)
		}
		return fmt.Sprintf("%v skip=%v\n", s.DeadLetterOwed(seq(), why, at("t")), s.Skip(seq()))
	case "dead-park":
		return fmt.Sprintf("%v\n", s.DeadLetterParked(seq(), at("t")))
	case "reopen":
		return fmt.Sprintf("%v\n", s.Reopen(seq()))
	case "history":
		var b strings.Builder
		for _, a := range s.History(seq()) {
			fmt.Fprintf(&b, "  at=%v client=%q end=%s end_at=%v delay=%v err=%q\n",
				time.Duration(a.At), a.Client, a.End, time.Duration(a.EndAt), time.Duration(a.Delay), a.Error)
		}
		if b.Len() == 0 {
			return "none\n"
		}
		return b.String()
	case "wpi":
		return s.Progress(seq(), at("t")).String() + "\n"
	case "nak":
		res, ev := s.NakWithError(seq(), at("delay"), at("t"), args["err"])
		return res.String() + eventsString(evList(ev)) + "\n"
	case "tick":
		evs := s.Tick(at("t"))
		if len(evs) == 0 {
			return "no events\n"
		}
		return strings.TrimPrefix(eventsString(evs), " ") + "\n"
	case "skip":
		s.SkipTo(seq())
		return "skipped\n"
	case "reset":
		s.Reset(seq())
		return "reset\n"
	case "restore":
		*st = Restore(*cfg, s.Snapshot())
		return "restored\n"
	case "pending":
		return fmt.Sprintf("%v\n", s.IsPending(seq()))
	case "delivered-at":
		at, ok := s.DeliveredAt(seq())
		return fmt.Sprintf("%v %v\n", time.Duration(at), ok)
	case "state":
		return stateString(s)
	}
	t.Fatalf("unknown command %q", line)
	return ""
}

func evList(ev *Event) []Event {
	if ev == nil {
		return nil
	}
	return []Event{*ev}
}

func eventsString(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		switch {
		case e.Kind == EventDeadLetter:
			fmt.Fprintf(&b, " dead_letter(seq=%d deliveries=%d why=%s)", e.Seq, e.Deliveries, e.Dead)
		case e.Dead != 0:
			fmt.Fprintf(&b, " max_deliveries(seq=%d deliveries=%d reason=%s dead=%s)", e.Seq, e.Deliveries, e.Reason, e.Dead)
		default:
			fmt.Fprintf(&b, " max_deliveries(seq=%d deliveries=%d reason=%s)", e.Seq, e.Deliveries, e.Reason)
		}
	}
	return b.String()
}

func stateString(s *State) string {
	var b strings.Builder
	fmt.Fprintf(&b, "delivered=%d/%d floor=%d/%d ack_pending=%d redelivered=%d parked=%v\n",
		s.delivered.Consumer, s.delivered.Stream, s.ackFloor.Consumer, s.ackFloor.Stream,
		s.NumAckPending(), s.NumRedelivered(), s.ParkedSeqs())
	for _, seq := range s.PendingSeqs() {
		e := s.pending[seq]
		state := fmt.Sprintf("deadline=%v", time.Duration(s.deadlineOf(seq, e)))
		if e.queued() {
			state = "queued"
		}
		fmt.Fprintf(&b, "  pending seq=%d dseq=%d count=%d %s\n", seq, e.dseq, e.count(), state)
	}
	for _, seq := range s.DeadLetterSeqs() {
		dl := s.dead[seq]
		fmt.Fprintf(&b, "  dead seq=%d why=%s deliveries=%d dseq=%d at=%v err=%q attempts=%d undelivered=%v\n",
			seq, dl.Reason, dl.Deliveries, dl.Consumer, time.Duration(dl.At), dl.Error, len(dl.History), dl.Undelivered)
	}
	if s.done > 0 {
		fmt.Fprintf(&b, "  done=%d\n", s.done)
	}
	var holds []string
	for q := uint64(1); q <= s.delivered.Stream+1; q++ {
		if s.Holds(q) {
			holds = append(holds, strconv.FormatUint(q, 10))
		}
	}
	fmt.Fprintf(&b, "holds=[%s] next_deadline=%v\n", strings.Join(holds, " "), time.Duration(s.NextDeadline()))
	return b.String()
}
