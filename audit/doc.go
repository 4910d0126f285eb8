// Package audit judges what already runs in a cluster, as the webhook would judge its creation today, and
// reports it per namespace for people (text) and tools (JSON). It is the front-end behind kubeguard
// audit: it lists objects page by page, attributes the pods and ReplicaSets a judged workload controls to
// that workload, and hands every other object to judgement.Judge.
package audit
