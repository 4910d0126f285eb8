package main

import (
	"time"

	"github.com/go-logr/logr"

	"github.com/kubeguard/kubeguard/policy"
)

// logExpiring tells the admin, at startup, which time-boxed entries of the configuration have run out or
// will within policy.ExpiresSoon: an exemption that ends silently turns into denials for a team.
func logExpiring(log logr.Logger, p *policy.Policy, now time.Time) {
	for _, e := range p.Expiring(now) {
		msg := "configuration entry expires soon"
		if e.Expired {
			msg = "configuration entry has expired and no longer applies"
		}
		log.Info(msg, "list", e.Key, "name", e.Name, "until", e.Until.UTC().Format(time.RFC3339), "reason", e.Reason)
	}
}

// logFarAhead tells the admin, at startup, which dates of the configuration lie more than
// policy.FarAheadAfter years ahead: accepted, but as good as "never" and often a typo.
func logFarAhead(log logr.Logger, p *policy.Policy, now time.Time) {
	for _, d := range p.FarAhead(now) {
		log.Info("configuration date is more than three years ahead", "key", d.Key, "name", d.Name, "date", d.At.UTC().Format(time.RFC3339))
	}
}
