package audit

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/rules"
)

// deprecatedAPIsMetric is the API server's gauge of the deprecated APIs requested since it started, one
// series per group, version, resource and subresource, with the release that removes them.
const deprecatedAPIsMetric = "apiserver_requested_deprecated_apis"

// minor is a Kubernetes minor version: 1.33 is {1, 33}.
type minor struct{ major, minor int }

func (v minor) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

func (v minor) atOrBefore(w minor) bool {
	return v.major < w.major || (v.major == w.major && v.minor <= w.minor)
}

// parseMinor reads "1.33", "v1.33", "v1.33.2" or "v1.33.0-rc.1+k3s1" as its major and minor version. The
// minor may carry a "+" (old GKE-style "1.33+").
func parseMinor(s string) (minor, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.SplitN(t, ".", 3)
	if len(parts) < 2 || len(t) > 64 {
		return minor{}, fmt.Errorf("%q is not a Kubernetes version like 1.33", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	m := strings.TrimRight(strings.SplitN(parts[1], "-", 2)[0], "+")
	min, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || major < 0 || min < 0 {
		return minor{}, fmt.Errorf("%q is not a Kubernetes version like 1.33", s)
	}
	return minor{major, min}, nil
}

// targetVersion is the version the upgrade goes to: the one given, or the minor after the server's.
func targetVersion(ctx context.Context, server APIServer, given string) (minor, error) {
	if given != "" {
		return parseMinor(given)
	}
	v, err := server.Version(ctx)
	if err != nil {
		return minor{}, fmt.Errorf("reading the API server's version: %w", err)
	}
	current, err := parseMinor(v)
	if err != nil {
		return minor{}, fmt.Errorf("the API server's version: %w", err)
	}
	return minor{current.major, current.minor + 1}, nil
}

// removedAPIsInUse reads the deprecated APIs requested from the API server's metrics and reports those the
// target version removes, one finding per group and version, naming their resources. A series without a
// removed_release, or with one that does not parse, is not guessed at.
func removedAPIsInUse(metrics []byte, target minor) ([]Finding, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(onlyFamily(metrics, deprecatedAPIsMetric)))
	if err != nil {
		return nil, fmt.Errorf("reading the API server's metrics: %w", err)
	}
	type groupVersion struct{ group, version, release string }
	resources := map[groupVersion]map[string]bool{}
	if family := families[deprecatedAPIsMetric]; family != nil {
		for _, m := range family.GetMetric() {
			labels := labelsOf(m)
			release, err := parseMinor(labels["removed_release"])
			if err != nil || !release.atOrBefore(target) || labels["version"] == "" || labels["resource"] == "" {
				continue
			}
			if m.GetGauge() != nil && m.GetGauge().GetValue() == 0 {
				continue
			}
			gv := groupVersion{labels["group"], labels["version"], release.String()}
			if resources[gv] == nil {
				resources[gv] = map[string]bool{}
			}
			r := labels["resource"]
			if s := labels["subresource"]; s != "" {
				r += "/" + s
			}
			resources[gv][r] = true
		}
	}
	order := make([]groupVersion, 0, len(resources))
	for gv := range resources {
		order = append(order, gv)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].group != order[j].group {
			return order[i].group < order[j].group
		}
		if order[i].version != order[j].version {
			return order[i].version < order[j].version
		}
		return order[i].release < order[j].release
	})
	var out []Finding
	for _, gv := range order {
		rs := resources[gv]
		names := make([]string, 0, len(rs))
		for r := range rs {
			names = append(names, r)
		}
		sort.Strings(names)
		apiVersion := gv.version
		if gv.group != "" {
			apiVersion = gv.group + "/" + gv.version
		}
		// Every served group version has an APIService named version.group ("v1" for the core group):
		// reports refer to it.
		service := gv.version + "." + gv.group
		if gv.group == "" {
			service = gv.version
		}
		v := rules.Violation{
			Rule:    rules.RemovedAPIInUseID,
			Field:   apiVersion,
			Problem: fmt.Sprintf("%s %s requested, and Kubernetes %s no longer serves it (upgrading to %s)", firstNames(names), judgement.Plural(len(names), "was", "were"), gv.release, target),
			Fix:     fmt.Sprintf("move the clients and manifests that use it to the version that kubectl api-resources --api-group=%s shows for %s, then wait for the API server's count to reset (it restarts with the upgrade; AKS looks back 12 hours)", gv.group, judgement.Plural(len(names), "it", "them")),
		}
		f := findingOf(v)
		f.Kind, f.Name, f.resource, f.apiVersion = "APIService", service, "apiservices.apiregistration.k8s.io", "apiregistration.k8s.io/v1"
		out = append(out, f)
	}
	return out, nil
}

// onlyFamily keeps the lines of one metric family (its samples, HELP and TYPE), so that the parser reads a
// few lines rather than the thousands of series and histogram buckets an API server exposes. A line of
// another family never starts with the family's name followed by "{", " " or a newline.
func onlyFamily(metrics []byte, name string) []byte {
	var out bytes.Buffer
	help, typ := "# HELP "+name+" ", "# TYPE "+name+" "
	for line := range bytes.Lines(metrics) {
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if ok && len(rest) > 0 && (rest[0] == '{' || rest[0] == ' ') || bytes.HasPrefix(line, []byte(help)) || bytes.HasPrefix(line, []byte(typ)) {
			out.Write(line)
			if line[len(line)-1] != '\n' {
				out.WriteByte('\n')
			}
		}
	}
	return out.Bytes()
}

func labelsOf(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}
