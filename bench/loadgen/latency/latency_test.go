package latency

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var ms []time.Duration
	for i := 1; i <= 200; i++ {
		ms = append(ms, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 100*time.Millisecond, Percentile(ms, 50))
	assert.Equal(t, 198*time.Millisecond, Percentile(ms, 99))
	assert.Equal(t, 7*time.Millisecond, Percentile([]time.Duration{7 * time.Millisecond}, 99))
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	l := Summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	assert.Equal(t, Summary{MeanMillis: 2, P50Millis: 2, P90Millis: 3, P99Millis: 3, MaxMillis: 3}, l)
	assert.Equal(t, Summary{}, Summarize(nil))
}
