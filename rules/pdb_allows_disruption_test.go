package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestPDBAllowsDisruption(t *testing.T) {
	maxZero := violation("pdb-allows-disruption", "spec.maxUnavailable", "")
	minAll := violation("pdb-allows-disruption", "spec.minAvailable", "")
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
		{name: "maxUnavailable 0", pdb: DisruptionBudget{MaxUnavailable: ptr(num(0))}, want: []Violation{maxZero}},
		{name: "maxUnavailable 0%", pdb: DisruptionBudget{MaxUnavailable: ptr(str("0%"))}, want: []Violation{maxZero}},
		{name: "maxUnavailable 000%", pdb: DisruptionBudget{MaxUnavailable: ptr(str("000%"))}, want: []Violation{maxZero}},
		{name: "minAvailable 100%", pdb: DisruptionBudget{MinAvailable: ptr(str("100%"))}, want: []Violation{minAll}},
		{name: "minAvailable above 100%", pdb: DisruptionBudget{MinAvailable: ptr(str("150%"))}, want: []Violation{minAll}},
		{
			name: "both, maxUnavailable first",
			pdb:  DisruptionBudget{MinAvailable: ptr(str("100%")), MaxUnavailable: ptr(num(0))},
			want: []Violation{maxZero, minAll},
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
	cases := make([]judged, 0, len(tests))
	for _, tt := range tests {
		opts := DefaultOptions()
		cases = append(cases, judged{name: tt.name, want: tt.want, got: check(&tt.pdb, &opts)})
	}
	assertJudged(t, "pdb-allows-disruption", cases)
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
