package attack

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// ordinaryConnection is the connection index in the UIDs of ordinary reviews, apart from every hostile
// worker's.
const ordinaryConnection = math.MaxUint32

// maxOrdinaryInFlight bounds the ordinary reviews waiting for an answer at once; the API server, too, calls
// a webhook over a bounded pool of connections.
const maxOrdinaryInFlight = 64

// ordinary sends the ordinary reviews on a fixed schedule, whatever the server's pace: a review's latency
// counts from when it was due, so a server that holds them up shows it, rather than slowing the schedule.
type ordinary struct {
	url    string
	bodies []review.Body
	rate   float64
	client *http.Client

	mu        sync.Mutex
	answered  int
	correct   int
	latencies []time.Duration
	// perBody are the figures of each body, in the order of bodies.
	perBody []bodyFigures
	errors  map[string]int
	// dials counts the connections the client opened.
	dials   atomic.Int64
	samples map[string]string
	changed chan struct{}
}

func newOrdinary(t *Target, o *Options) *ordinary {
	ord := &ordinary{
		// As the API server calls webhooks: it passes its timeout along.
		url:     fmt.Sprintf("%s?timeout=%s", t.URL, o.Timeout),
		bodies:  o.Ordinary,
		rate:    o.OrdinaryRate,
		client:  newClient(t.TLS, maxOrdinaryInFlight, o.Timeout),
		perBody: make([]bodyFigures, len(o.Ordinary)),
		errors:  map[string]int{},
		samples: map[string]string{},
		changed: make(chan struct{}, 1),
	}
	dialer := new(net.Dialer)
	ord.client.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		ord.dials.Add(1)
		return dialer.DialContext(ctx, network, addr)
	}
	return ord
}

// openingSeq numbers the review sent as an attack starts, apart from the rate's own sequence.
const openingSeq = 1 << 40

// bodyFigures are what became of the reviews of one body.
type bodyFigures struct {
	sent, correct int
	latencies     []time.Duration
}

// run sends reviews until ctx is done, then waits for those in flight.
func (o *ordinary) run(ctx context.Context) {
	defer o.client.CloseIdleConnections()
	interval := time.Duration(float64(time.Second) / o.rate)
	slots := make(chan struct{}, maxOrdinaryInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	start := time.Now()
	for seq := uint64(0); ; seq++ {
		due := start.Add(time.Duration(seq) * interval)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(due)):
		}
		select {
		case <-ctx.Done():
			return
		case slots <- struct{}{}:
		}
		wg.Go(func() {
			defer func() { <-slots }()
			o.send(int(seq%uint64(len(o.bodies))), seq, due)
		})
	}
}

// send sends one review and records its answer. It does not follow the run's context: a review sent
// before the attack ended is answered, or times out, like any other.
func (o *ordinary) send(body int, seq uint64, due time.Time) {
	b := &o.bodies[body]
	var uid review.UID
	review.NewUID(&uid, ordinaryConnection, seq)
	w := &worker{index: ordinaryConnection, client: o.client}
	outcome, sample, _ := w.postReview(context.Background(), o.url, b.Append(nil, &uid), &uid)
	took := time.Since(due)

	want := outcomeAllowed
	if b.Expect == review.Denied {
		// Ordinary reviews that break rules are denied with a 403 status.
		want = outcomeRefused(http.StatusForbidden)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answered++
	o.latencies = append(o.latencies, took)
	fig := &o.perBody[body]
	fig.sent++
	fig.latencies = append(fig.latencies, took)
	if outcome == want {
		o.correct++
		fig.correct++
	} else {
		kind := fmt.Sprintf("%s, want %s", outcome, want)
		o.errors[kind]++
		if _, ok := o.samples[kind]; !ok {
			o.samples[kind] = b.Name + ": " + sample
		}
	}
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// waitAnswered waits until n reviews are answered correctly, for at most timeout per review.
func (o *ordinary) waitAnswered(ctx context.Context, n int, timeout time.Duration) error {
	deadline := time.After(time.Duration(n)*timeout + time.Duration(float64(n)/o.rate*float64(time.Second)))
	for {
		o.mu.Lock()
		correct, failed := o.correct, fmt.Sprint(o.samples)
		errs := o.answered - o.correct
		o.mu.Unlock()
		if correct >= n {
			return nil
		}
		if errs > 0 {
			return fmt.Errorf("ordinary reviews fail before any attack: %s", failed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("%d of %d ordinary reviews answered before any attack", correct, n)
		case <-o.changed:
		}
	}
}

// restart forgets the reviews answered so far: the report covers those answered once the attack began.
func (o *ordinary) restart() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answered, o.correct, o.latencies = 0, 0, nil
	o.dials.Store(0)
	clear(o.perBody)
	clear(o.errors)
	clear(o.samples)
}

func (o *ordinary) report() Ordinary {
	o.mu.Lock()
	defer o.mu.Unlock()
	bodies := make([]OrdinaryBody, len(o.bodies))
	for i := range o.bodies {
		fig := &o.perBody[i]
		bodies[i] = OrdinaryBody{Name: o.bodies[i].Name, Bytes: o.bodies[i].Len(), Sent: fig.sent, Correct: fig.correct, Latency: latency.Summarize(fig.latencies)}
	}
	return Ordinary{
		Connections:  int(o.dials.Load()),
		Bodies:       bodies,
		Rate:         o.rate,
		Sent:         o.answered,
		Correct:      o.correct,
		Errors:       o.answered - o.correct,
		ErrorsByKind: o.errors,
		ErrorSamples: o.samples,
		Latency:      latency.Summarize(o.latencies),
	}
}
