package deploy

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/webhook"
)

// prometheusRule is the part of a prometheus-operator PrometheusRule the alerts live in.
type prometheusRule struct {
	Spec struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert  string            `json:"alert"`
				Expr   string            `json:"expr"`
				Labels map[string]string `json:"labels"`
			} `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

// kubeguardMetrics are the metrics `kubeguard serve` registers for its admission path.
func kubeguardMetrics(t *testing.T) map[string][]string {
	t.Helper()
	labels, err := webhook.MetricLabels()
	require.NoError(t, err)
	return labels
}

// targetLabels are added by Prometheus to every series it scrapes, whatever the metric.
var targetLabels = []string{"namespace", "pod", "job", "instance", "service", "container", "endpoint"}

var (
	promqlString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promqlRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promqlMatchers = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^}]*)\}`)
	promqlGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	promqlName     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promqlKeywords = []string{"and", "or", "unless", "bool", "offset"}
)

// promqlSeries reads an expression's metric names and the label names it matches or groups by. It is a
// lexer for the expressions the chart writes, not a PromQL parser: strings and ranges are dropped,
// selectors give a name and matchers, grouping clauses give labels, and any other word not followed by
// "(" (a function) nor a keyword is a metric name.
func promqlSeries(expr string) (metrics map[string][]string, grouped []string) {
	metrics = map[string][]string{}
	rest := promqlRange.ReplaceAllString(expr, " ")
	rest = promqlString.ReplaceAllString(rest, `""`)
	rest = promqlMatchers.ReplaceAllStringFunc(rest, func(s string) string {
		m := promqlMatchers.FindStringSubmatch(s)
		var labels []string
		for _, matcher := range strings.Split(m[2], ",") {
			if name, _, ok := strings.Cut(matcher, "="); ok {
				labels = append(labels, strings.Trim(strings.TrimSpace(name), "!~"))
			}
		}
		metrics[m[1]] = append(metrics[m[1]], labels...)
		return " "
	})
	rest = promqlGrouping.ReplaceAllStringFunc(rest, func(s string) string {
		for _, l := range strings.Split(promqlGrouping.FindStringSubmatch(s)[2], ",") {
			grouped = append(grouped, strings.TrimSpace(l))
		}
		return " "
	})
	for _, loc := range promqlName.FindAllStringIndex(rest, -1) {
		word := rest[loc[0]:loc[1]]
		if strings.HasPrefix(strings.TrimSpace(rest[loc[1]:]), "(") || slices.Contains(promqlKeywords, word) {
			continue
		}
		if _, ok := metrics[word]; !ok {
			metrics[word] = nil
		}
	}
	return metrics, grouped
}

// familyOf is the metric a series name belongs to: a histogram's _bucket, _sum and _count series are its
// own.
func familyOf(series string, registered map[string][]string) (string, bool) {
	if _, ok := registered[series]; ok {
		return series, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if name, ok := strings.CutSuffix(series, suffix); ok {
			if _, ok := registered[name]; ok {
				return name, true
			}
		}
	}
	return "", false
}

// The PrometheusRule exists only when asked for, and its alerts read only metrics kubeguard registers,
// by labels those metrics have: an alert on a renamed metric would never fire and say nothing.
func TestPrometheusRuleReadsKubeguardMetrics(t *testing.T) {
	h := newHelm(t)
	assert.Empty(t, ofKind(parseManifests(t, h.template(t, []string{valuesFile("default")})), "PrometheusRule"), "off by default")

	var rule prometheusRule
	require.NoError(t, yaml.Unmarshal(only(t, parseManifests(t, h.template(t, []string{valuesFile("options")})), "PrometheusRule").YAML, &rule))
	registered := kubeguardMetrics(t)
	require.NotEmpty(t, registered)

	alerts := 0
	for _, group := range rule.Spec.Groups {
		for _, alert := range group.Rules {
			alerts++
			t.Run(alert.Alert, func(t *testing.T) {
				assert.NotEmpty(t, alert.Labels["severity"])
				metrics, grouped := promqlSeries(alert.Expr)
				require.NotEmpty(t, metrics, "no metric found in %q", alert.Expr)
				known := slices.Clone(targetLabels)
				for series, matched := range metrics {
					family, ok := familyOf(series, registered)
					if !assert.Truef(t, ok, "%s reads %s, which kubeguard does not register", alert.Alert, series) {
						continue
					}
					labels := append(slices.Clone(targetLabels), registered[family]...)
					if family != series {
						labels = append(labels, "le")
					}
					for _, l := range matched {
						assert.Containsf(t, labels, l, "%s matches %s on label %s, which it does not have", alert.Alert, series, l)
					}
					known = append(known, labels...)
				}
				for _, l := range grouped {
					assert.Containsf(t, known, l, "%s groups by %s, which none of its metrics has", alert.Alert, l)
				}
			})
		}
	}
	assert.Positive(t, alerts)
}

// docs/install.md ("Alerting") shows each alert of the chart with its expression as rendered, and no other.
func TestAlertingDocShowsTheChartsAlerts(t *testing.T) {
	var rule prometheusRule
	require.NoError(t, yaml.Unmarshal(only(t, parseManifests(t, newHelm(t).template(t, []string{valuesFile("options")})), "PrometheusRule").YAML, &rule))
	raw, err := os.ReadFile(installDoc)
	require.NoError(t, err)
	_, section, found := strings.Cut(string(raw), "\n## Alerting\n")
	require.True(t, found, "docs/install.md has no Alerting section")
	section, _, _ = strings.Cut(section, "\n## ")
	flat := strings.Join(strings.Fields(section), " ")

	var names []string
	for _, group := range rule.Spec.Groups {
		for _, alert := range group.Rules {
			names = append(names, alert.Alert)
			assert.Contains(t, flat, "`"+alert.Alert+"`")
			assert.Contains(t, flat, strings.Join(strings.Fields(alert.Expr), " "), "the expression of %s", alert.Alert)
		}
	}
	for _, named := range regexp.MustCompile("`(Kubeguard[A-Za-z]+)`").FindAllStringSubmatch(section, -1) {
		assert.Contains(t, names, named[1], "docs/install.md names an alert the chart does not have")
	}
}
