package main

import (
	"fmt"
	"time"
)

// redriveTask is a task as the $HF.API.DLQ.REDRIVE endpoints report it.
type redriveTask struct {
	ID        string    `json:"id"`
	DLQ       string    `json:"dlq"`
	State     string    `json:"state"`
	Created   time.Time `json:"created"`
	UpTo      uint64    `json:"up_to"`
	LastSeq   uint64    `json:"last_seq"`
	Matched   uint64    `json:"matched"`
	Done      uint64    `json:"done"`
	Failed    uint64    `json:"failed"`
	Skipped   uint64    `json:"skipped"`
	LastError string    `json:"last_error"`
	Config    struct {
		Mode   string `json:"mode"`
		Action string `json:"action"`
	} `json:"config"`
}

type redriveReply struct {
	Task   *redriveTask `json:"task"`
	DryRun *struct {
		DLQ     string   `json:"dlq"`
		UpTo    uint64   `json:"up_to"`
		Matched uint64   `json:"matched"`
		Skipped uint64   `json:"skipped"`
		Seqs    []uint64 `json:"seqs"`
	} `json:"dry_run"`
}

// redrive runs `redrive <dlq> [flags]` or one of its task subcommands.
func (d *dlqCmd) redrive(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "ls":
			return d.redriveList(args[1:])
		case "info", "pause", "resume", "cancel":
			return d.redriveTaskCmd(args[0], args[1:])
		}
	}
	fs := d.flags("redrive")
	mode := fs.String("mode", "reopen", "reopen (make the source message pending again) or republish")
	subject := fs.String("subject", "", "republish to this subject instead of the original one")
	cp := fs.Bool("copy", false, "keep the dead letters (default: delete each after it is redriven)")
	rate := fs.Float64("rate", 0, "messages per second (0: unlimited)")
	dry := fs.Bool("dry-run", false, "only count and list the dead letters the filter selects")
	stream := fs.String("stream", "", "filter: source stream")
	consumer := fs.String("consumer", "", "filter: consumer")
	reason := fs.String("reason", "", "filter: max_deliveries, terminated, expired, maxlen or manual")
	fsubj := fs.String("filter-subject", "", "filter: original subject (wildcards allowed)")
	from := fs.Uint64("seq-from", 0, "filter: lowest source sequence")
	to := fs.Uint64("seq-to", 0, "filter: highest source sequence")
	since := fs.String("since", "", "filter: dead-lettered at or after (RFC 3339)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	filter := map[string]any{}
	for k, v := range map[string]string{"stream": *stream, "consumer": *consumer, "reason": *reason, "subject": *fsubj} {
		if v != "" {
			filter[k] = v
		}
	}
	if *from > 0 {
		filter["seq_from"] = *from
	}
	if *to > 0 {
		filter["seq_to"] = *to
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			return usageError("--since: " + err.Error())
		}
		filter["since"] = t
	}
	req := map[string]any{"mode": *mode, "filter": filter, "rate": *rate, "dry_run": *dry}
	if *subject != "" {
		req["subject"] = *subject
	}
	if *cp {
		req["action"] = "copy"
	}
	var r redriveReply
	if err := d.call("$HF.API.DLQ.REDRIVE.START."+pos[0], req, &r); err != nil {
		return err
	}
	if dr := r.DryRun; dr != nil {
		fmt.Fprintf(d.out, "dry run on %s up to %d: %d matched, %d skipped\n", dr.DLQ, dr.UpTo, dr.Matched, dr.Skipped)
		if len(dr.Seqs) > 0 {
			fmt.Fprintf(d.out, "sequences: %v\n", dr.Seqs)
		}
		return nil
	}
	d.printTask(r.Task)
	return nil
}

func (d *dlqCmd) redriveTaskCmd(verb string, args []string) error {
	fs := d.flags("redrive " + verb)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	subj := map[string]string{"info": "INFO", "pause": "PAUSE", "resume": "RESUME", "cancel": "CANCEL"}[verb]
	var r redriveReply
	if err := d.call("$HF.API.DLQ.REDRIVE."+subj+"."+pos[0], nil, &r); err != nil {
		return err
	}
	d.printTask(r.Task)
	return nil
}

func (d *dlqCmd) redriveList(args []string) error {
	fs := d.flags("redrive ls")
	dlq := fs.String("dlq", "", "only the tasks of this dead-letter stream")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	var req any
	if *dlq != "" {
		req = map[string]string{"dlq": *dlq}
	}
	var r struct {
		Tasks []redriveTask `json:"tasks"`
	}
	if err := d.call("$HF.API.DLQ.REDRIVE.LIST", req, &r); err != nil {
		return err
	}
	w := d.table()
	fmt.Fprintln(w, "ID\tDLQ\tSTATE\tMODE\tMATCHED\tDONE\tFAILED\tSKIPPED\tCREATED")
	for _, t := range r.Tasks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", t.ID, t.DLQ, t.State, t.Config.Mode,
			t.Matched, t.Done, t.Failed, t.Skipped, t.Created.UTC().Format(time.RFC3339))
	}
	return w.Flush()
}

func (d *dlqCmd) printTask(t *redriveTask) {
	if t == nil {
		return
	}
	fmt.Fprintf(d.out, "Task: %s\nDLQ: %s\nState: %s\nMode: %s (%s)\n", t.ID, t.DLQ, t.State, t.Config.Mode, t.Config.Action)
	fmt.Fprintf(d.out, "Progress: %d of %d\nMatched: %d\nDone: %d\nFailed: %d\nSkipped: %d\n",
		t.LastSeq, t.UpTo, t.Matched, t.Done, t.Failed, t.Skipped)
	if t.LastError != "" {
		fmt.Fprintf(d.out, "Last error: %s\n", t.LastError)
	}
}
