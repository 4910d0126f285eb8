package policy

import "fmt"

// Mode is what kubeguard does with a rule's violations.
type Mode string

const (
	// Enforce denies the request.
	Enforce Mode = "enforce"
	// DryRun allows the request, warns the client and records the violation. It is not Kubernetes'
	// server-side dry-run (kubectl --dry-run=server), which gets the same verdict as a real request.
	DryRun Mode = "dry-run"
	// Off does not evaluate the rule at all.
	Off Mode = "off"
)

// parseMode accepts the modes allowed where it is used: a rule may be off, the global default may not.
func parseMode(s string, allowOff bool) (Mode, error) {
	switch m := Mode(s); m {
	case Enforce, DryRun:
		return m, nil
	case Off:
		if allowOff {
			return m, nil
		}
		return "", fmt.Errorf("mode %q is not allowed here (want enforce or dry-run; turn single rules off under rules:)", s)
	}
	if allowOff {
		return "", fmt.Errorf("unknown mode %q (want enforce, dry-run or off)", s)
	}
	return "", fmt.Errorf("unknown mode %q (want enforce or dry-run)", s)
}
