// Package latency summarizes request latencies as load tests report them.
package latency

import (
	"slices"
	"time"
)

// Summary is the mean and percentiles of a set of latencies, in milliseconds.
type Summary struct {
	MeanMillis float64 `json:"meanMillis"`
	P50Millis  float64 `json:"p50Millis"`
	P90Millis  float64 `json:"p90Millis"`
	P99Millis  float64 `json:"p99Millis"`
	MaxMillis  float64 `json:"maxMillis"`
}

// Summarize sorts latencies in place and returns their mean and percentiles.
func Summarize(latencies []time.Duration) Summary {
	if len(latencies) == 0 {
		return Summary{}
	}
	slices.Sort(latencies)
	var sum time.Duration
	for _, l := range latencies {
		sum += l
	}
	return Summary{
		MeanMillis: Millis(sum / time.Duration(len(latencies))),
		P50Millis:  Millis(Percentile(latencies, 50)),
		P90Millis:  Millis(Percentile(latencies, 90)),
		P99Millis:  Millis(Percentile(latencies, 99)),
		MaxMillis:  Millis(latencies[len(latencies)-1]),
	}
}

// Percentile returns the nearest-rank percentile of sorted values: the smallest value that at least p% of
// the values do not exceed.
func Percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// Millis is d in milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
