package test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast-mq/holdfast/internal/servertest"
)

// buildHoldfast compiles cmd/holdfast into a temporary directory.
func buildHoldfast(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	bin := t.TempDir() + "/holdfast"
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/holdfast-mq/holdfast/cmd/holdfast").CombinedOutput()
	if err != nil {
		t.Fatalf("build holdfast: %v\n%s", err, out)
	}
	return bin
}

// proc is a holdfast process started by a crash test.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
}

// startHoldfast runs bin with JetStream on storeDir and returns once its log
// says it accepts clients.
// env adds variables to the process's environment (HOLDFAST_FAILPOINTS).
func startHoldfast(t *testing.T, bin, storeDir string, env ...string) *proc {
	t.Helper()
	port := freeTCPPort(t)
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", storeDir)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = t.Output()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: fmt.Sprintf("nats://127.0.0.1:%d", port), done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		signal := ready
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(t.Output(), sc.Text())
			if signal != nil && strings.Contains(sc.Text(), "listening for client connections") {
				close(signal)
				signal = nil
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	select {
	case <-ready:
		return p
	case <-p.done:
		t.Fatal("holdfast exited before it was ready")
	case <-time.After(30 * time.Second):
		t.Fatal("holdfast not ready after 30s")
	}
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// rawConsumerInfo is the part of CONSUMER.INFO the crash test compares,
// including holdfast's num_parked, which nats.go does not decode.
type rawConsumerInfo struct {
	apiReply
	Delivered struct {
		Consumer uint64 `json:"consumer_seq"`
		Stream   uint64 `json:"stream_seq"`
	} `json:"delivered"`
	AckFloor struct {
		Consumer uint64 `json:"consumer_seq"`
		Stream   uint64 `json:"stream_seq"`
	} `json:"ack_floor"`
	NumAckPending int `json:"num_ack_pending"`
	NumParked     int `json:"num_parked"`
}

func consumerInfoRaw(t *testing.T, nc *nats.Conn, stream, consumer string) rawConsumerInfo {
	t.Helper()
	r := request(t, nc, "$JS.API.CONSUMER.INFO."+stream+"."+consumer, "")
	wantOK(t, r)
	var ci rawConsumerInfo
	if err := json.Unmarshal(r.raw, &ci); err != nil {
		t.Fatal(err)
	}
	ci.apiReply = r
	return ci
}

// TestCrashIssue6538 is nats-server #6538 across a SIGKILL: a message parked
// at max_deliver on an interest stream, acked by a second consumer and seen
// by an ordered viewer, is still in the stream and still parked after the
// process is killed and restarted on the same store, and every message that
// got a PubAck is still there.
func TestCrashIssue6538(t *testing.T) {
	if servertest.External() {
		t.Skip("runs the holdfast binary")
	}
	if testing.Short() {
		t.Skip("builds and runs the holdfast binary")
	}
	bin := buildHoldfast(t)
	storeDir := t.TempDir()
	p := startHoldfast(t, bin, storeDir)
	nc, err := nats.Connect(p.url)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st := createStream(t, js, jetstream.StreamConfig{Name: "CR", Subjects: []string{"cr.>"},
		Retention: jetstream.InterestPolicy, Storage: jetstream.FileStorage})
	c, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "C", AckPolicy: jetstream.AckExplicitPolicy,
		MaxDeliver: 1, AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateOrUpdateConsumer(ctx(t), jetstream.ConsumerConfig{Durable: "D", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}

	// Seq 1 is parked by C (NAK at max_deliver 1); C acks 2..4, so its ack
	// floor passes the parked message; D acks all four.
	publishN(t, js, "cr.a", 4)
	if err := fetchOne(t, c).Nak(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := fetchOne(t, c).DoubleAck(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		if err := fetchOne(t, d).DoubleAck(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	// Messages nobody has consumed yet: held by both consumers.
	var acked []uint64
	for i := range 20 {
		pa, err := js.Publish(ctx(t), "cr.b", fmt.Appendf(nil, "b%d", i))
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, pa.Sequence)
	}
	if n := viewAll(t, st); n != 21 {
		t.Fatalf("ordered view saw %d messages, want 21", n)
	}
	before := consumerInfoRaw(t, nc, "CR", "C")
	if before.NumParked != 1 || before.NumAckPending != 0 || before.AckFloor.Stream != 4 {
		t.Fatalf("before the crash: %s", before.raw)
	}
	nc.Close()

	p.kill()
	p = startHoldfast(t, bin, storeDir)
	nc, err = nats.Connect(p.url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err = jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err = js.Stream(ctx(t), "CR")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.GetMsg(ctx(t), 1); err != nil || m.Subject != "cr.a" {
		t.Fatalf("parked message after the crash: %v %v", m, err)
	}
	for _, seq := range acked {
		if _, err := st.GetMsg(ctx(t), seq); err != nil {
			t.Fatalf("acknowledged publish %d lost: %v", seq, err)
		}
	}
	if n := streamMsgs(t, st); n != 21 {
		t.Fatalf("after the crash: %d messages, want 21", n)
	}
	after := consumerInfoRaw(t, nc, "CR", "C")
	if after.NumParked != 1 || after.Delivered != before.Delivered || after.AckFloor != before.AckFloor {
		t.Fatalf("consumer C changed across the crash:\nbefore %s\nafter  %s", before.raw, after.raw)
	}
	if p := parkedList(t, nc, "CR", "C", ""); len(p.Parked) != 1 || p.Parked[0] != 1 {
		t.Fatalf("parked after the crash: %s", p.raw)
	}
}
