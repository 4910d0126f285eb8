package attack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// madeUpPrefix starts every made-up kind, so that /metrics can be searched for any of them.
const madeUpPrefix = "Fabricated"

// madeUpReview is a small CREATE of an object of a kind nobody registered, under a made-up group: the API
// server would never send it, any pod that reaches the port can. A kind kubeguard does not judge is
// allowed.
func madeUpReview(uid *review.UID) []byte {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	kind := madeUpPrefix + hex.EncodeToString(raw[:])
	group := "x" + hex.EncodeToString(raw[:]) + ".example.com"
	return fmt.Appendf(nil, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":%q,`+
		`"kind":{"group":%q,"version":"v1","kind":%q},"resource":{"group":%q,"version":"v1","resource":"things"},`+
		`"operation":"CREATE","name":"thing","namespace":"payments","userInfo":{"username":"mallory"},`+
		`"object":{"apiVersion":%q,"kind":%q,"metadata":{"name":"thing","namespace":"payments"}}}}`,
		uid.String(), group, kind, group, group+"/v1", kind)
}

// madeUpKinds sends reviews of made-up kinds, a new kind each. The first, sent before the baseline, adds
// the series every unjudged kind shares; later ones must add none.
func (h *hostile) madeUpKinds() {
	s := newShape("made-up kinds", len(madeUpReview(new(review.UID))), func(outcome string) bool { return outcome == outcomeAllowed })
	h.all = append(h.all, s)
	send := func(ctx context.Context, w *worker, seq uint64) {
		var uid review.UID
		review.NewUID(&uid, w.index, seq)
		start := time.Now()
		outcome, sample, answerBytes := w.postReview(ctx, h.target.URL, madeUpReview(&uid), &uid)
		s.record(outcome, sample, time.Since(start), answerBytes)
	}
	h.attempt = send
	h.warmup = func(ctx context.Context) error {
		// Sequence numbers count down from the top for the warm-up, away from those the run uses.
		send(ctx, h.workers[0], ^uint64(0))
		return ctx.Err()
	}
}
