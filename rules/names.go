package rules

import (
	"errors"
	"fmt"
	"strings"
)

// MatchesName reports whether name equals one of patterns, or starts with a pattern's text before a
// trailing "*".
func MatchesName(patterns []string, name string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if p == name {
			return true
		}
	}
	return false
}

// ValidatePattern rejects an empty name, and a "*" anywhere but at the end, where it would silently match
// nothing.
func ValidatePattern(pattern string) error {
	if pattern == "" {
		return errors.New("empty name")
	}
	if i := strings.Index(pattern, "*"); i >= 0 && i != len(pattern)-1 {
		return fmt.Errorf("%q: \"*\" may only end a name, as a prefix match", pattern)
	}
	return nil
}
