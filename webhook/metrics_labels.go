package webhook

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// MetricLabels returns every metric NewMetrics registers, by name, with its label names in order, whether or
// not a series exists yet: what the README lists and the chart's alerts may read, so that both are checked
// against the code rather than against a copy of it.
func MetricLabels() (map[string][]string, error) {
	d := describer{labels: map[string][]string{}}
	NewMetrics(&d)
	return d.labels, d.err
}

// describer is a Registerer that keeps what collectors describe instead of collecting from them.
type describer struct {
	labels map[string][]string
	err    error
}

// descName reads a description's name and label names: prometheus.Desc exposes them only through String.
var descName = regexp.MustCompile(`^Desc\{fqName: "([^"]+)", .*variableLabels: \{([^}]*)\}\}$`)

func (d *describer) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	for desc := range ch {
		m := descName.FindStringSubmatch(desc.String())
		if m == nil {
			if d.err == nil {
				d.err = fmt.Errorf("cannot read the metric description %s", desc)
			}
			continue
		}
		d.labels[m[1]] = nil
		if m[2] != "" {
			d.labels[m[1]] = strings.Split(m[2], ",")
		}
	}
	return nil
}

func (d *describer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = d.Register(c)
	}
}

func (d *describer) Unregister(prometheus.Collector) bool { return false }
