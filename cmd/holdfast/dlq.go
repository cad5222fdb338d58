package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

const dlqUsage = `usage: holdfast dlq <command> [flags] [args]

Dead-letter queues (docs/dead-letter-api.md):
  ls <dlq stream> [--from seq] [--limit n]        list dead letters
  show <dlq stream> <seq>                         one dead letter with its headers
  state <stream> <consumer> <seq>                 one message's state for a consumer
  parked <stream> <consumer>                      parked sequences
  move <stream> <consumer> (--all | seq...)       move parked messages to the dead-letter stream
  redrive <dlq stream> [filters] [--mode reopen|republish] [--subject s] [--copy] [--rate n] [--dry-run]
      filters: --stream --consumer --reason --filter-subject --seq-from --seq-to --since (RFC 3339)
  redrive ls [--dlq stream] | info <id> | pause <id> | resume <id> | cancel <id>

Connection flags (every command): -s/--server URL (default nats://127.0.0.1:4222), --user, --pass, --timeout
`

// dlqCmd is one run of `holdfast dlq`: its output and its connection.
type dlqCmd struct {
	out, errOut io.Writer
	server      string
	user, pass  string
	timeout     time.Duration
	nc          *natsClient
}

// runDLQ runs `holdfast dlq <command>`; it returns the exit code.
func runDLQ(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, dlqUsage)
		return 0
	}
	d := &dlqCmd{out: stdout, errOut: stderr}
	cmds := map[string]func([]string) error{
		"ls": d.ls, "show": d.show, "state": d.state, "parked": d.parked, "move": d.move, "redrive": d.redrive,
	}
	fn, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "holdfast dlq: unknown command %q\n%s", args[0], dlqUsage)
		return 2
	}
	err := fn(args[1:])
	if d.nc != nil {
		d.nc.Close()
	}
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "holdfast dlq %s: %v\n%s", args[0], err, dlqUsage)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "holdfast dlq %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError is a command line the command cannot run.
type usageError string

func (e usageError) Error() string { return string(e) }

// flags returns a flag set with the connection flags.
func (d *dlqCmd) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(d.errOut)
	for _, n := range []string{"s", "server"} {
		fs.StringVar(&d.server, n, "nats://127.0.0.1:4222", "server URL")
	}
	fs.StringVar(&d.user, "user", "", "user name")
	fs.StringVar(&d.pass, "pass", "", "password")
	fs.DurationVar(&d.timeout, "timeout", 5*time.Second, "connect and request timeout")
	return fs
}

// parse parses flags anywhere among the arguments and checks how many
// positional arguments there are (max < 0: no limit).
func parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		return nil, usageError(fmt.Sprintf("wrong number of arguments: %q", pos))
	}
	return pos, nil
}

// call sends a request and decodes the JSON reply into v; an API error
// becomes the returned error.
func (d *dlqCmd) call(subj string, req any, v any) error {
	if d.nc == nil {
		nc, err := dialNATS(d.server, d.user, d.pass, d.timeout)
		if err != nil {
			return fmt.Errorf("connect %s: %w", d.server, err)
		}
		d.nc = nc
	}
	var body []byte
	if req != nil {
		var err error
		if body, err = json.Marshal(req); err != nil {
			return err
		}
	}
	data, err := d.nc.request(subj, body)
	if err != nil {
		return err
	}
	var apiErr struct {
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &apiErr); err != nil {
		return fmt.Errorf("reply to %s: %w", subj, err)
	}
	if e := apiErr.Error; e != nil {
		return fmt.Errorf("%s (error %d)", e.Description, e.ErrCode)
	}
	return json.Unmarshal(data, v)
}

func seqArg(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, usageError(fmt.Sprintf("%q is not a sequence", s))
	}
	return n, nil
}

func (d *dlqCmd) table() *tabwriter.Writer { return tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0) }

// storedMsg is a STREAM.MSG.GET reply.
type storedMsg struct {
	Message *struct {
		Subject string    `json:"subject"`
		Seq     uint64    `json:"seq"`
		Hdrs    []byte    `json:"hdrs"`
		Data    []byte    `json:"data"`
		Time    time.Time `json:"time"`
	} `json:"message"`
}

// header reads one field of a header block.
func header(hdr []byte, key string) string {
	for _, line := range strings.Split(string(hdr), "\r\n")[1:] {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// errNoMessage is the 10037 "no message found" of MSG.GET.
func errNoMessage(err error) bool {
	return err != nil && strings.Contains(err.Error(), "(error 10037)")
}

func (d *dlqCmd) ls(args []string) error {
	fs := d.flags("ls")
	from := fs.Uint64("from", 1, "first sequence")
	limit := fs.Int("limit", 100, "at most this many dead letters (0: all)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	w := d.table()
	fmt.Fprintln(w, "SEQ\tTIME\tREASON\tSTREAM\tCONSUMER\tSRC SEQ\tDELIVERIES\tSUBJECT")
	n := 0
	for seq := max(*from, 1); *limit <= 0 || n < *limit; n++ {
		var m storedMsg
		err := d.call("$JS.API.STREAM.MSG.GET."+pos[0], map[string]any{"seq": seq, "next_by_subj": ">"}, &m)
		if errNoMessage(err) {
			break
		}
		if err != nil {
			return err
		}
		h := m.Message.Hdrs
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Message.Seq, header(h, "Holdfast-Dlq-Time"),
			header(h, "Holdfast-Dlq-Reason"), header(h, "Holdfast-Dlq-Stream"), header(h, "Holdfast-Dlq-Consumer"),
			header(h, "Holdfast-Dlq-Sequence"), header(h, "Holdfast-Dlq-Deliveries"), header(h, "Holdfast-Dlq-Subject"))
		seq = m.Message.Seq + 1
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "%d dead letters\n", n)
	return nil
}

func (d *dlqCmd) show(args []string) error {
	fs := d.flags("show")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	seq, err := seqArg(pos[1])
	if err != nil {
		return err
	}
	var m storedMsg
	if err := d.call("$JS.API.STREAM.MSG.GET."+pos[0], map[string]any{"seq": seq}, &m); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "Sequence: %d\nSubject: %s\nTime: %s\n\nHeaders:\n", m.Message.Seq, m.Message.Subject,
		m.Message.Time.UTC().Format(time.RFC3339Nano))
	for _, line := range strings.Split(string(m.Message.Hdrs), "\r\n")[1:] {
		if line != "" {
			fmt.Fprintf(d.out, "  %s\n", line)
		}
	}
	fmt.Fprintf(d.out, "\nData (%d bytes):\n%s\n", len(m.Message.Data), m.Message.Data)
	return nil
}

func (d *dlqCmd) state(args []string) error {
	fs := d.flags("state")
	pos, err := parse(fs, args, 3, 3)
	if err != nil {
		return err
	}
	seq, err := seqArg(pos[2])
	if err != nil {
		return err
	}
	var s json.RawMessage
	if err := d.call("$HF.API.CONSUMER.MSG.STATE."+pos[0]+"."+pos[1], map[string]uint64{"seq": seq}, &s); err != nil {
		return err
	}
	return printJSON(d.out, s)
}

func printJSON(w io.Writer, raw json.RawMessage) error {
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	delete(v, "type")
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func (d *dlqCmd) parked(args []string) error {
	fs := d.flags("parked")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	var all []uint64
	for offset := 0; ; {
		var page struct {
			Parked []uint64 `json:"parked"`
			Total  int      `json:"total"`
		}
		if err := d.call("$HF.API.CONSUMER.PARKED."+pos[0]+"."+pos[1], map[string]int{"offset": offset}, &page); err != nil {
			return err
		}
		all = append(all, page.Parked...)
		offset += len(page.Parked)
		if len(page.Parked) == 0 || offset >= page.Total {
			break
		}
	}
	for _, seq := range all {
		fmt.Fprintln(d.out, seq)
	}
	fmt.Fprintf(d.out, "%d parked\n", len(all))
	return nil
}

func (d *dlqCmd) move(args []string) error {
	fs := d.flags("move")
	all := fs.Bool("all", false, "move every parked message")
	pos, err := parse(fs, args, 2, -1)
	if err != nil {
		return err
	}
	req := map[string]any{}
	if *all {
		req["all"] = true
	}
	var seqs []uint64
	for _, a := range pos[2:] {
		seq, err := seqArg(a)
		if err != nil {
			return err
		}
		seqs = append(seqs, seq)
	}
	if *all == (len(seqs) > 0) {
		return usageError("give --all or sequences")
	}
	if len(seqs) > 0 {
		req["seqs"] = seqs
	}
	var r struct {
		DeadLetterStream string   `json:"dead_letter_stream"`
		Accepted         []uint64 `json:"accepted"`
		NotParked        []uint64 `json:"not_parked"`
	}
	if err := d.call("$HF.API.CONSUMER.DLQ.MOVE."+pos[0]+"."+pos[1], req, &r); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "moving %d to %s: %v\n", len(r.Accepted), r.DeadLetterStream, r.Accepted)
	if len(r.NotParked) > 0 {
		fmt.Fprintf(d.out, "not parked: %v\n", r.NotParked)
	}
	return nil
}
