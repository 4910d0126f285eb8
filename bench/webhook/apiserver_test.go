package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestQuantileIsTheNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of an even count is the lower middle", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 100 is the 50th", ms(hundred...), 0.50, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, quantile(tt.sorted, tt.q))
		})
	}
}

func TestSummarizeCreatesTakesTheMedianRound(t *testing.T) {
	round := func(latency time.Duration, n, errors int) creates {
		c := creates{errors: errors, elapsed: time.Second}
		for range n {
			c.latencies = append(c.latencies, latency)
		}
		return c
	}
	got := summarizeCreates([]creates{
		round(10*time.Millisecond, 100, 0),
		round(2*time.Millisecond, 500, 1),
		round(4*time.Millisecond, 250, 2),
	})
	assert.Equal(t, apiServerFigures{P50Millis: 4, P99Millis: 4, Throughput: 250, Creates: 850, Errors: 3}, got)
}

func TestAPIServerTableShowsEverySettingInOrder(t *testing.T) {
	var out strings.Builder
	writeAPIServer(&out, []apiServerRow{{Clients: 32, Settings: map[string]apiServerFigures{
		psaWebhook:    {P50Millis: 3, P99Millis: 20, Throughput: 500, Errors: 1},
		noWebhook:     {P50Millis: 1.25, P99Millis: 9, Throughput: 900},
		podPolicy:     {P50Millis: 1.5, P99Millis: 10, Throughput: 850},
		kubeguardName: {P50Millis: 2, P99Millis: 12.5, Throughput: 700},
		floorWebhook:  {P50Millis: 1.75, P99Millis: 11, Throughput: 750},
	}}})
	assert.Equal(t, `| clients | admission | p50 ms | p99 ms | creates/s | errors |
|---:|---|---:|---:|---:|---:|
| 32 | no webhook | 1.2 | 9.0 | 900 | 0 |
| 32 | kubeguard | 2.0 | 12.5 | 700 | 0 |
| 32 | floor webhook | 1.8 | 11.0 | 750 | 0 |
| 32 | ValidatingAdmissionPolicy | 1.5 | 10.0 | 850 | 0 |
| 32 | Pod Security webhook | 3.0 | 20.0 | 500 | 1 |
`, out.String())
}
