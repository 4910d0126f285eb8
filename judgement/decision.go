package judgement

// Decision is the outcome of judging one request. The names are shared by the metrics' decision label,
// kubeguard check's report and the logs.
type Decision string

const (
	// Allowed: judged, nothing offends (or an update changed nothing the rules read).
	Allowed Decision = "allowed"
	// Warned: allowed, with dry-run violations warned about and recorded.
	Warned Decision = "warned"
	// Denied: at least one enforced violation.
	Denied Decision = "denied"
	// Exempt: the namespace or the requester is exempt, so nothing was judged.
	Exempt Decision = "exempt"
	// NotJudged ("skipped"): a kind, operation or subresource kubeguard never judges; allowed.
	NotJudged Decision = "skipped"
	// Error: the object could not be read; refused, so that nothing unjudged gets in.
	Error Decision = "error"
)

// Refused reports whether the request is not admitted.
func (d Decision) Refused() bool { return d == Denied || d == Error }
