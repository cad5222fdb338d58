package jetstream

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/holdfast-mq/holdfast/internal/jsapi"
)

// advise publishes an advisory when somebody listens on its subject, as
// nats-server does (JETSTREAM-MESSAGING.md §12).
func (js *JetStream) advise(subj string, v any) {
	if !js.broker.HasInterest(subj) {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		js.log.Error("advisory not encodable", "subject", subj, "error", err)
		return
	}
	js.broker.Publish(nil, []byte(subj), nil, nil, data)
}

// adviseStream publishes a stream create, update or delete advisory.
func (js *JetStream) adviseStream(tmpl, action, name string) {
	subj := fmt.Sprintf(tmpl, name)
	if !js.broker.HasInterest(subj) {
		return
	}
	js.advise(subj, &jsapi.StreamActionAdvisory{
		TypedEvent: newEvent(jsapi.AdvisoryStreamActionType),
		Stream:     name, Action: action, Domain: js.opts.Domain,
	})
}

func newEvent(typ string) jsapi.TypedEvent {
	return jsapi.TypedEvent{Type: typ, ID: newID(), Time: time.Now().UTC()}
}

// newID returns a 22-character base62 id, the shape of a NUID.
func newID() string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [22]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return string(b[:])
}
