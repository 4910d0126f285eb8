// Package audit judges what already runs in a cluster, as the webhook would judge its creation today, and
// reports it per namespace for people (text) and tools (JSON). It is the front-end behind kubeguard
// audit: it lists objects page by page, hands every object to judgement.Judge, and counts the pods and
// ReplicaSets a judged workload controls toward that workload when their owner references resolve and they
// break nothing its template does not (owners.go). In the same listing it runs the audit checks, which
// judge what only the live cluster shows: what pods can reach (metadata.go), which drains a budget blocks
// and which pods a drain loses (drain.go), which removed APIs clients still request (deprecated.go).
package audit
