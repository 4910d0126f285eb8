package rules

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

/*
pdb-allows-disruption rejects PodDisruptionBudgets that can never allow a voluntary disruption, whatever the
number of pods they cover: maxUnavailable 0 (or "0%"), or minAvailable "100%". Every AKS cluster upgrade and
node-image update cordons and drains nodes one at a time; such a budget makes every eviction fail, so AKS
refuses to start the upgrade (UnsatisfiablePDB) or the upgrade fails mid-way with PodDrainFailure.

A budget whose minAvailable is a number can still block a drain when it is at or above the pods it covers;
that depends on the replica counts of the live cluster, which kubeguard audit --upgrade judges
(drain-blocked), not on the budget alone.

Fields read:
  spec.minAvailable, spec.maxUnavailable
Passing values: maxUnavailable at least 1 or "1%"; minAvailable a number, or a percentage below "100%".
Values the API server would refuse (a string that is not a percentage) are left to it.
*/

const pdbAllowsDisruptionID = "pdb-allows-disruption"

func pdbAllowsDisruption() Rule {
	return Rule{
		ID:                    pdbAllowsDisruptionID,
		Doc:                   "Rejects PodDisruptionBudgets that never allow an eviction: maxUnavailable 0 or \"0%\", minAvailable \"100%\".",
		CheckDisruptionBudget: checkPDBAllowsDisruption,
		Profiles:              allProfiles(),
	}
}

func checkPDBAllowsDisruption(pdb *DisruptionBudget, _ *Options) []Violation {
	spec := field.NewPath("spec")
	var out []Violation
	if v := pdb.MaxUnavailable; v != nil {
		if n, ok := intOrPercent(v); ok && n == 0 {
			out = append(out, Violation{
				Rule:    pdbAllowsDisruptionID,
				Field:   spec.Child("maxUnavailable").String(),
				Problem: "is " + v.String() + ", so no pod may ever be evicted and every node drain blocks",
				Fix:     "set maxUnavailable to 1 (or a percentage above 0%)",
			})
		}
	}
	if v := pdb.MinAvailable; v != nil && v.Type == intstr.String {
		if n, ok := intOrPercent(v); ok && n >= 100 {
			out = append(out, Violation{
				Rule:    pdbAllowsDisruptionID,
				Field:   spec.Child("minAvailable").String(),
				Problem: "is " + v.String() + ", so no pod may ever be evicted and every node drain blocks",
				Fix:     "set maxUnavailable: 1 instead, or a minAvailable below the replica count",
			})
		}
	}
	return out
}

// intOrPercent reads a number, or a percentage written as digits and "%" as the API server validates it,
// as its number. It reports false for anything else (which the API server refuses on its own), so that
// no value makes the rule guess.
func intOrPercent(v *intstr.IntOrString) (int, bool) {
	if v.Type == intstr.Int {
		return int(v.IntVal), true
	}
	digits, ok := strings.CutSuffix(v.StrVal, "%")
	if !ok || digits == "" || len(digits) > 10 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}
