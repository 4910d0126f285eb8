package policy

import "fmt"

// UpdateMode says how an UPDATE is judged.
type UpdateMode string

const (
	// Ratchet denies only the violations the old object did not already have: a workload that predates
	// kubeguard can be fixed one rule at a time, and nothing new gets in.
	Ratchet UpdateMode = "ratchet"
	// Full judges the updated object as if it were created.
	Full UpdateMode = "full"
)

func parseUpdateMode(s string) (UpdateMode, error) {
	switch m := UpdateMode(s); m {
	case Ratchet, Full:
		return m, nil
	}
	return "", fmt.Errorf("unknown value %q (want ratchet or full)", s)
}
