package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// report is everything a run measured, as saved in results.json.
type report struct {
	Machine    machine        `json:"machine"`
	Settings   reportSettings `json:"settings"`
	Comparison []comparison   `json:"comparison"`
	Mixed      []mixed        `json:"mixed"`
	// APIServer is pod-create latency through the API server, by concurrent clients.
	APIServer []apiServerRow `json:"apiServer,omitempty"`
	Profiles  []string       `json:"profiles,omitempty"`
	Attacks   []attackResult `json:"attacks,omitempty"`
}

type machine struct {
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"`
	Go    string `json:"go"`
	// LoadBefore and LoadAfter are /proc/loadavg's 1, 5 and 15 minute figures: other work on the machine
	// skews every figure, so a result is only as good as the load it was taken under.
	LoadBefore string `json:"loadBefore"`
	LoadAfter  string `json:"loadAfter"`
}

type reportSettings struct {
	Rounds          int     `json:"rounds"`
	WarmupSeconds   float64 `json:"warmupSeconds"`
	DurationSeconds float64 `json:"durationSeconds"`
	Body            string  `json:"body"`
	BodyBytes       int64   `json:"bodyBytes"`
	// APIServerSeconds is the length of each pod-create measurement through the API server.
	APIServerSeconds float64 `json:"apiServerSeconds"`
}

func describeMachine() machine {
	return machine{CPU: cpuModel(), Cores: runtime.NumCPU(), Go: runtime.Version()}
}

// cpuModel is the first "model name" of /proc/cpuinfo, as lscpu shows it.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if name, value, ok := strings.Cut(scanner.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

// write prints the report in Markdown.
func (r *report) write(w io.Writer) {
	s := r.Settings
	fmt.Fprintf(w, "Machine: %s, %d cores, %s; load average %s before, %s after.\n\n", r.Machine.CPU, r.Machine.Cores, r.Machine.Go, r.Machine.LoadBefore, r.Machine.LoadAfter)
	if len(r.APIServer) > 0 {
		fmt.Fprintf(w, "Pod creates through the API server (the compliant Pod, kept unscheduled), client-go over one HTTP/2 connection, each client creating back to back; median of %d rounds of %.0fs after %.0fs of warm-up:\n\n",
			s.Rounds, s.APIServerSeconds, s.WarmupSeconds)
		writeAPIServer(w, r.APIServer)
		fmt.Fprintln(w)
	}
	if len(r.Comparison) > 0 {
		fmt.Fprintf(w, "Compliant Pod CREATE (%s, %d bytes), HTTPS, HTTP/1.1 keep-alive; median of %d rounds of %.0fs after %.0fs of warm-up; × is kubeguard ÷ PSA; errors are kubeguard / PSA over all rounds.\n\n",
			s.Body, s.BodyBytes, s.Rounds, s.DurationSeconds, s.WarmupSeconds)
		writeComparison(w, r.Comparison)
		fmt.Fprintf(w, "\nkubeguard beside the floor webhook (bench/floor: the same TLS and HTTP server, reads the review and allows it with its UID), same body and rounds; × is kubeguard ÷ floor; errors are kubeguard / floor:\n\n")
		writeFloor(w, r.Comparison)
		if len(r.Mixed) > 0 {
			fmt.Fprintf(w, "\nkubeguard alone on the mixed bodies (%s), sent in turn on each connection:\n\n", bodyNames(mixedBodies))
			writeMixed(w, r.Mixed)
		}
		fmt.Fprintln(w)
		writeGoals(w, goals(r.Comparison, r.Mixed))
	}
	if len(r.Attacks) > 0 {
		if len(r.Comparison) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Attacks, each on a fresh kubeguard, while the mixed bodies and deployment-large go out as ordinary reviews at %d/s (latency counted from when each was due):\n\n", ordinaryRate)
		writeAttacks(w, r.Attacks)
		fmt.Fprintln(w)
		writeGoals(w, attackGoals(r.Attacks))
	}
}

func bodyNames(bodies []bodyFile) string {
	names := make([]string, len(bodies))
	for i, b := range bodies {
		names[i] = b.name + " → " + b.verdict
	}
	return strings.Join(names, ", ")
}
