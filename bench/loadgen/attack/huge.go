package attack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// hugeUID is the request UID a huge review is built with; every request replaces it with one of its own.
const hugeUID = "00000000-0000-4000-8000-00000000beef"

// hugeReview is an ephemeral-containers update from a user who may debug pods: the request kubeguard judges
// that carries the most containers, in object and oldObject alike. items is the list of ephemeral
// containers, and both pods also list it as their containers when inBoth is set.
func hugeReview(items string, inBoth bool) string {
	containers := `{"name":"app"}`
	if inBoth {
		containers = items
	}
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"payments"},"spec":{"containers":[` +
		containers + `],"ephemeralContainers":[` + items + `]}}`
	return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"` + hugeUID + `",` +
		`"kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},` +
		`"subResource":"ephemeralcontainers","operation":"UPDATE","name":"web","namespace":"payments",` +
		`"userInfo":{"username":"mallory"},"object":` + pod + `,"oldObject":` + pod + `}}`
}

// emptyContainers is a review of MaxBodyBytes or a little less listing empty containers, "{}", in all four
// lists: over two million of them.
func emptyContainers() (string, int) {
	const item = "{},"
	overhead := len(hugeReview("", true))
	// Four lists of n items of 3 bytes, each without its last comma.
	n := (MaxBodyBytes - overhead + 4) / (4 * len(item))
	return hugeReview(strings.TrimSuffix(strings.Repeat(item, n), ","), true), 4 * n
}

// namedContainers is a review of MaxBodyBytes or a little less listing ephemeral containers with names of
// their own: over a quarter of a million in object and oldObject.
func namedContainers() (string, int) {
	const itemBytes = len(`{"name":"debug-0000000"},`)
	overhead := len(hugeReview("", false))
	n := (MaxBodyBytes - overhead + 2) / (2 * itemBytes)
	var b strings.Builder
	b.Grow(n * itemBytes)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"debug-%07d"}`, i)
	}
	return hugeReview(b.String(), false), 2 * n
}

// refusedAsTooLarge is the answer to a review whose containers are over kubeguard's limit: refused with its
// UID, as unreadable. A busy server may instead ask the client to come back (503, Retry-After).
func refusedAsTooLarge(outcome string) bool {
	return outcome == outcomeRefused(http.StatusBadRequest) || outcome == outcomeHTTP(http.StatusServiceUnavailable)
}

// hugeContainers sends the two huge reviews in turn on every connection.
func (h *hostile) hugeContainers() {
	type huge struct {
		shape *shape
		body  review.Body
	}
	var kinds []huge
	for _, b := range []struct {
		name  string
		build func() (string, int)
	}{{"empty containers", emptyContainers}, {"named containers", namedContainers}} {
		text, containers := b.build()
		body, err := review.Parse([]byte(text))
		if err != nil {
			// The reviews are built by this package: a failure here is a bug in it.
			panic(fmt.Sprintf("%s: %v", b.name, err))
		}
		s := newShape(b.name, body.Size(), refusedAsTooLarge)
		s.containers = containers
		kinds = append(kinds, huge{s, body})
		h.all = append(h.all, s)
	}
	h.attempt = func(ctx context.Context, w *worker, seq uint64) {
		k := kinds[(uint64(w.index)+seq)%uint64(len(kinds))]
		var uid review.UID
		review.NewUID(&uid, w.index, seq)
		// A buffer per request: the transport may still hold the previous one when the server answered
		// before reading all of it.
		body := k.body.Append(make([]byte, 0, k.body.Size()), &uid)
		start := time.Now()
		outcome, sample, answerBytes := w.postReview(ctx, h.target.URL, body, &uid)
		k.shape.record(outcome, sample, time.Since(start), answerBytes)
	}
}
