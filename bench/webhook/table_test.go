package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
)

func round(rps, p99, cpu float64, rss int64, errs int) *loadreport.Report {
	r := &loadreport.Report{Throughput: rps, Errors: errs, Allowed: 10, Server: &loadreport.Server{CPUPerRequestMicros: cpu, PeakRSSBytes: rss}}
	r.Latency.P99Millis = p99
	return r
}

func TestSummarizeTakesMediansAndPeaks(t *testing.T) {
	s := summarize([]*loadreport.Report{round(100, 9, 50, 10<<20, 0), round(300, 1, 70, 30<<20, 2), round(200, 5, 60, 20<<20, 0)})
	assert.Equal(t, summary{Rounds: 3, Throughput: 200, P99Millis: 5, CPUPerRequest: 60, PeakRSSBytes: 30 << 20, Errors: 2, Allowed: 30}, s)
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	assert.Equal(t, 0.0, median(nil))
}

func TestGoals(t *testing.T) {
	psa := summary{Throughput: 1000, P99Millis: 40, CPUPerRequest: 260, PeakRSSBytes: 68 << 20}
	good := summary{Throughput: 2500, P99Millis: 15, CPUPerRequest: 50, PeakRSSBytes: 25 << 20}
	floor := summary{Throughput: 3000, P99Millis: 12, CPUPerRequest: 42, PeakRSSBytes: 15 << 20}
	met := goals([]comparison{{Connections: 1, Kubeguard: good, PSA: psa, Floor: floor}, {Connections: 64, Kubeguard: good, PSA: psa, Floor: floor}}, nil)
	require.Len(t, met, 6)
	for _, g := range met {
		assert.True(t, g.met, g.name)
	}
	assert.Contains(t, met[0].name, "at 64 connections")

	slow := good
	slow.Throughput, slow.Errors = 1500, 1
	fat := mixed{Connections: 64, Kubeguard: summary{PeakRSSBytes: 31 << 20}}
	cheapFloor := floor
	cheapFloor.CPUPerRequest = 35
	missed := goals([]comparison{{Connections: 64, Kubeguard: slow, PSA: psa, Floor: cheapFloor}}, []mixed{fat})
	var names []string
	for _, g := range missed {
		if !g.met {
			names = append(names, g.name)
		}
	}
	assert.Equal(t, []string{"CPU per request ≤ 1.25× the floor webhook's at 64 connections", "throughput ≥ 2× PSA's at 64 connections",
		"kubeguard peak RSS ≤ 30 MiB", "no errors, every verdict as expected"}, names)
}

func TestReportIsMarkdown(t *testing.T) {
	psa := summary{Throughput: 1000, P99Millis: 40, CPUPerRequest: 260, PeakRSSBytes: 68 << 20}
	kg := summary{Throughput: 2500, P99Millis: 15, CPUPerRequest: 52, PeakRSSBytes: 25 << 20}
	floor := summary{Throughput: 3000, P99Millis: 12, CPUPerRequest: 40, PeakRSSBytes: 15 << 20}
	r := report{Comparison: []comparison{{Connections: 64, Kubeguard: kg, PSA: psa, Floor: floor}}, Mixed: []mixed{{Connections: 64, Kubeguard: kg}}}
	var md strings.Builder
	r.write(&md)
	assert.Contains(t, md.String(), "| 64 | 2500 | 1000 | 2.50 |")
	assert.Contains(t, md.String(), "| 52.0 | 260.0 | 0.20 |")
	assert.Contains(t, md.String(), "| CPU per request ≤ ¼ of PSA's at 64 connections | 0.20× | yes |")
	assert.Contains(t, md.String(), "| 64 | 52.0 | 40.0 | 1.30 | 2500 | 3000 | 15.00 | 12.00 | 25.0 | 15.0 | 0 / 0 |")
	assert.Contains(t, md.String(), "| CPU per request ≤ 1.25× the floor webhook's at 64 connections | 1.30× | no |")
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("1, 8,64")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 8, 64}, got)
	for _, bad := range []string{"", "0", "8,x"} {
		_, err := parseInts(bad)
		assert.Error(t, err, bad)
	}
}

// TestBodiesAreReviewsOfTheirManifests checks that every body the benchmark sends exists and is the
// AdmissionReview of its manifest's object: a stale or hand-edited body would measure something else.
func TestBodiesAreReviewsOfTheirManifests(t *testing.T) {
	for _, b := range mixedBodies {
		t.Run(b.name, func(t *testing.T) {
			data, err := os.ReadFile(b.path("testdata"))
			require.NoError(t, err, "go run ./bench/webhook -update makes it")
			var review struct {
				Kind    string
				Request struct {
					UID       string
					Operation string
					Namespace string
					Object    struct{ Kind string }
					OldObject *struct{ Kind string }
				}
			}
			require.NoError(t, json.Unmarshal(data, &review))
			assert.Equal(t, "AdmissionReview", review.Kind)
			assert.NotEmpty(t, review.Request.UID)
			assert.Equal(t, benchNamespace, review.Request.Namespace)
			assert.Contains(t, []string{"allowed", "denied"}, b.verdict)
			kind, _, _ := strings.Cut(b.name, "-")
			assert.Equal(t, kind, strings.ToLower(review.Request.Object.Kind))
			if b.name == "deployment-scale" {
				assert.Equal(t, "UPDATE", review.Request.Operation)
				require.NotNil(t, review.Request.OldObject)
			} else {
				assert.Equal(t, "CREATE", review.Request.Operation)
				assert.Nil(t, review.Request.OldObject)
				assert.FileExists(t, "testdata/manifests/"+b.name+".yaml")
			}
		})
	}
}
