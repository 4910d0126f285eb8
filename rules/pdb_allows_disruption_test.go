package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestPDBAllowsDisruption(t *testing.T) {
	const blocks = ", so no pod may ever be evicted and every node drain blocks"
	maxZero := func(s string) Violation {
		return Violation{Rule: "pdb-allows-disruption", Field: "spec.maxUnavailable", Problem: "is " + s + blocks,
			Fix: "set maxUnavailable to 1 (or a percentage above 0%)"}
	}
	minAll := func(s string) Violation {
		return Violation{Rule: "pdb-allows-disruption", Field: "spec.minAvailable", Problem: "is " + s + blocks,
			Fix: "set maxUnavailable: 1 instead, or a minAvailable below the replica count"}
	}
	num := intstr.FromInt32
	str := intstr.FromString
	ptr := func(v intstr.IntOrString) *intstr.IntOrString { return &v }

	check := ruleByID(t, "pdb-allows-disruption").CheckDisruptionBudget
	require.NotNil(t, check)
	tests := []struct {
		name string
		pdb  DisruptionBudget
		want []Violation
	}{
		{name: "neither set (the API server then defaults minAvailable to 1)"},
		{name: "maxUnavailable 1", pdb: DisruptionBudget{MaxUnavailable: ptr(num(1))}},
		{name: "maxUnavailable 1%", pdb: DisruptionBudget{MaxUnavailable: ptr(str("1%"))}},
		{name: "minAvailable 1", pdb: DisruptionBudget{MinAvailable: ptr(num(1))}},
		{name: "minAvailable as a number is left to the audit", pdb: DisruptionBudget{MinAvailable: ptr(num(100))}},
		{name: "minAvailable 99%", pdb: DisruptionBudget{MinAvailable: ptr(str("99%"))}},
		{name: "minAvailable 0%", pdb: DisruptionBudget{MinAvailable: ptr(str("0%"))}},
		{name: "maxUnavailable 0", pdb: DisruptionBudget{MaxUnavailable: ptr(num(0))}, want: []Violation{maxZero("0")}},
		{name: "maxUnavailable 0%", pdb: DisruptionBudget{MaxUnavailable: ptr(str("0%"))}, want: []Violation{maxZero("0%")}},
		{name: "maxUnavailable 000%", pdb: DisruptionBudget{MaxUnavailable: ptr(str("000%"))}, want: []Violation{maxZero("000%")}},
		{name: "minAvailable 100%", pdb: DisruptionBudget{MinAvailable: ptr(str("100%"))}, want: []Violation{minAll("100%")}},
		{name: "minAvailable above 100%", pdb: DisruptionBudget{MinAvailable: ptr(str("150%"))}, want: []Violation{minAll("150%")}},
		{
			name: "both, maxUnavailable first",
			pdb:  DisruptionBudget{MinAvailable: ptr(str("100%")), MaxUnavailable: ptr(num(0))},
			want: []Violation{maxZero("0"), minAll("100%")},
		},
		// Values the API server refuses are not guessed at.
		{name: "not a percentage", pdb: DisruptionBudget{MaxUnavailable: ptr(str("zero"))}},
		{name: "string number", pdb: DisruptionBudget{MaxUnavailable: ptr(str("0"))}},
		{name: "empty string", pdb: DisruptionBudget{MaxUnavailable: ptr(str(""))}},
		{name: "only a percent sign", pdb: DisruptionBudget{MinAvailable: ptr(str("%"))}},
		{name: "signed percentage", pdb: DisruptionBudget{MaxUnavailable: ptr(str("-0%"))}},
		{name: "overflowing percentage", pdb: DisruptionBudget{MinAvailable: ptr(str("99999999999999999999%"))}},
		{name: "spaces", pdb: DisruptionBudget{MaxUnavailable: ptr(str(" 0%"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			got := check(&tt.pdb, &opts)
			if len(tt.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDisruptionBudgetSameInputs(t *testing.T) {
	one, zero, pct := intstr.FromInt32(1), intstr.FromInt32(0), intstr.FromString("1")
	tests := []struct {
		name     string
		old, new DisruptionBudget
		same     bool
	}{
		{name: "both empty", same: true},
		{name: "equal", old: DisruptionBudget{MaxUnavailable: &one}, new: DisruptionBudget{MaxUnavailable: &one}, same: true},
		{name: "value changed", old: DisruptionBudget{MaxUnavailable: &one}, new: DisruptionBudget{MaxUnavailable: &zero}},
		{name: "number and string", old: DisruptionBudget{MinAvailable: &one}, new: DisruptionBudget{MinAvailable: &pct}},
		{name: "field moved", old: DisruptionBudget{MinAvailable: &one}, new: DisruptionBudget{MaxUnavailable: &one}},
		{name: "field dropped", old: DisruptionBudget{MinAvailable: &one}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, tt.old.SameInputs(&tt.new))
			assert.Equal(t, tt.same, tt.new.SameInputs(&tt.old), "SameInputs is symmetric")
		})
	}
}
