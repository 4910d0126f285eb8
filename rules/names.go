package rules

import "strings"

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
