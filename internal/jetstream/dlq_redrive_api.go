package jetstream

import (
	"errors"
	"strings"

	"github.com/holdfast-mq/holdfast/internal/jetstream/ackstate"
	"github.com/holdfast-mq/holdfast/internal/jsapi"
	"github.com/holdfast-mq/holdfast/internal/subject"
)

// Response types of the redrive endpoints (docs/dead-letter-api.md).
const (
	RedriveResponseType     = "io.holdfast.api.v1.dlq_redrive_response"
	RedriveListResponseType = "io.holdfast.api.v1.dlq_redrive_list_response"

	// redriveDryRunLimit bounds the sequences a dry run lists.
	redriveDryRunLimit = 1000
)

// routeRedrive finds the endpoint for rest, the subject after
// "$HF.API.DLQ.REDRIVE.".
func routeRedrive(rest string) (endpoint, string, bool) {
	if rest == "LIST" {
		return endpoint{RedriveListResponseType, (*JetStream).apiRedriveList}, "", true
	}
	verb, name, ok := strings.Cut(rest, ".")
	if !ok || name == "" || strings.Contains(name, ".") {
		return endpoint{}, "", false
	}
	fns := map[string]func(*JetStream, *apiRequest, string) any{
		"START":  (*JetStream).apiRedriveStart,
		"INFO":   (*JetStream).apiRedriveInfo,
		"PAUSE":  func(js *JetStream, _ *apiRequest, id string) any { return js.redriveControl(id, redrivePaused) },
		"RESUME": func(js *JetStream, _ *apiRequest, id string) any { return js.redriveControl(id, redriveRunning) },
		"CANCEL": func(js *JetStream, _ *apiRequest, id string) any { return js.redriveControl(id, redriveCancelled) },
	}
	fn, ok := fns[verb]
	return endpoint{RedriveResponseType, fn}, name, ok
}

// redriveResponse carries one task, or the outcome of a dry run.
type redriveResponse struct {
	jsapi.ApiResponse
	Task   *redriveInfo   `json:"task,omitempty"`
	DryRun *redriveDryRun `json:"dry_run,omitempty"`
}

// redriveDryRun is what a task with that filter would take: the dead
// letters it matches (their sequences, the first 1000) and the messages it
// would skip.
type redriveDryRun struct {
	DLQ     string   `json:"dlq"`
	UpTo    uint64   `json:"up_to"`
	Matched uint64   `json:"matched"`
	Skipped uint64   `json:"skipped"`
	Seqs    []uint64 `json:"seqs"`
}

type redriveListResponse struct {
	jsapi.ApiResponse
	Tasks []redriveInfo `json:"tasks"`
}

// redriveListRequest is the optional body of LIST.
type redriveListRequest struct {
	DLQ string `json:"dlq,omitempty"`
}

func redriveFail(e *jsapi.ApiError) any {
	return &jsapi.ApiResponse{Type: RedriveResponseType, Error: e}
}

func redriveInvalid(text string) any {
	return redriveFail(jsapi.NewError(jsapi.HFRedriveInvalidErrF, "err", text))
}

// apiRedriveStart serves $HF.API.DLQ.REDRIVE.START.<dlq stream>.
func (js *JetStream) apiRedriveStart(r *apiRequest, name string) any {
	var req redriveRequest
	dlq, e := js.streamAndBody(r, name, &req)
	if e != nil {
		return redriveFail(e)
	}
	if text := checkRedrive(&req); text != "" {
		return redriveInvalid(text)
	}
	if req.Action == redriveActionMove && dlq.config().DenyDelete {
		return redriveInvalid("stream " + dlq.name + " denies deletes: use action copy")
	}
	if req.DryRun {
		return &redriveResponse{ApiResponse: jsapi.ApiResponse{Type: RedriveResponseType}, DryRun: dryRunRedrive(dlq, &req.Filter)}
	}
	info, err := js.startRedrive(dlq, req)
	if err != nil {
		return redriveFail(jsapi.NewError(jsapi.HFRedriveStartErrF, "err", err.Error()))
	}
	return &redriveResponse{ApiResponse: jsapi.ApiResponse{Type: RedriveResponseType}, Task: &info}
}

// checkRedrive fills in the defaults and says what is wrong with a
// request ("" when nothing).
func checkRedrive(req *redriveRequest) string {
	if req.Action == "" {
		req.Action = redriveActionMove
	}
	f := &req.Filter
	switch {
	case req.Mode != redriveModeReopen && req.Mode != redriveModeRepublish:
		return `mode must be "reopen" or "republish"`
	case req.Action != redriveActionMove && req.Action != redriveActionCopy:
		return `action must be "move" or "copy"`
	case req.Rate < 0:
		return "rate must not be negative"
	case req.Subject != "" && req.Mode != redriveModeRepublish:
		return "subject is for mode republish"
	case req.Subject != "" && !subject.ValidLiteral(req.Subject):
		return "subject " + req.Subject + " is not a literal subject"
	case f.Subject != "" && !subject.ValidSubject(f.Subject):
		return "filter subject " + f.Subject + " is not a valid subject"
	case f.SeqTo > 0 && f.SeqFrom > f.SeqTo:
		return "filter seq_from is above seq_to"
	}
	if f.Reason != "" {
		if _, ok := ackstate.ParseDLReason(f.Reason); !ok {
			return "filter reason " + f.Reason + " is unknown"
		}
	}
	return ""
}

// dryRunRedrive counts what a task would take, without changing anything.
func dryRunRedrive(dlq *stream, f *redriveFilter) *redriveDryRun {
	out := &redriveDryRun{DLQ: dlq.name, UpTo: dlq.store.State().LastSeq, Seqs: []uint64{}}
	for seq := uint64(1); seq <= out.UpTo; {
		m, err := dlq.store.LoadNext("", seq)
		if err != nil || m.Seq > out.UpTo {
			break
		}
		seq = m.Seq + 1
		d, ok := readDeadLetter(m)
		if !ok || !f.matches(d) {
			out.Skipped++
			continue
		}
		out.Matched++
		if len(out.Seqs) < redriveDryRunLimit {
			out.Seqs = append(out.Seqs, m.Seq)
		}
	}
	return out
}

// apiRedriveInfo serves $HF.API.DLQ.REDRIVE.INFO.<id>.
func (js *JetStream) apiRedriveInfo(_ *apiRequest, id string) any {
	t := js.redrive.get(id)
	if t == nil {
		return redriveFail(jsapi.NewError(jsapi.HFRedriveNotFoundErr))
	}
	info := t.info()
	return &redriveResponse{ApiResponse: jsapi.ApiResponse{Type: RedriveResponseType}, Task: &info}
}

// redriveControl serves PAUSE, RESUME and CANCEL.<id>.
func (js *JetStream) redriveControl(id, to string) any {
	t := js.redrive.get(id)
	if t == nil {
		return redriveFail(jsapi.NewError(jsapi.HFRedriveNotFoundErr))
	}
	info, err := t.setState(to)
	if errors.Is(err, errRedriveState) {
		return redriveFail(jsapi.NewError(jsapi.HFRedriveStateErrF, "err", "task "+id+" is "+info.State))
	}
	return &redriveResponse{ApiResponse: jsapi.ApiResponse{Type: RedriveResponseType}, Task: &info}
}

// apiRedriveList serves $HF.API.DLQ.REDRIVE.LIST, oldest task first.
func (js *JetStream) apiRedriveList(r *apiRequest, _ string) any {
	var req redriveListRequest
	if e := decodeOptional(r.payload, &req); e != nil {
		return &jsapi.ApiResponse{Type: RedriveListResponseType, Error: e}
	}
	tasks := []redriveInfo{}
	for _, i := range js.redrive.list() {
		if req.DLQ == "" || req.DLQ == i.DLQ {
			tasks = append(tasks, i)
		}
	}
	return &redriveListResponse{ApiResponse: jsapi.ApiResponse{Type: RedriveListResponseType}, Tasks: tasks}
}
