package attack

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MetricsSample is what one read of /metrics showed.
type MetricsSample struct {
	Bytes int `json:"bytes"`
	// Series counts the samples: every line that is not a comment.
	Series int `json:"series"`
	// MadeUpKinds counts the samples that name a made-up kind.
	MadeUpKinds int `json:"madeUpKinds"`
}

// metricsLimit bounds what is read of /metrics: a server whose metrics grow without bound is a finding, not
// a reason to run out of memory.
const metricsLimit = 256 << 20

func readMetrics(ctx context.Context, url string) (MetricsSample, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return MetricsSample{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return MetricsSample{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, metricsLimit))
	if err != nil {
		return MetricsSample{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return MetricsSample{}, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return countMetrics(data), nil
}

// countMetrics counts the series of a Prometheus text exposition.
func countMetrics(data []byte) MetricsSample {
	m := MetricsSample{Bytes: len(data)}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m.Series++
		if strings.Contains(line, madeUpPrefix) {
			m.MadeUpKinds++
		}
	}
	return m
}
