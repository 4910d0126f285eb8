// Command bench measures kubeguard's cost per admission request side by side with the Pod Security
// Admission webhook, the reference for what a pod-checking webhook costs: `make bench` runs it.
//
// It starts a cluster (etcd, kube-apiserver, controllers, scheduler, kwok nodes, kubeguard registered;
// the Pod Security webhook reads namespaces from it) and measures pod creates through the API server
// with no webhook, with kubeguard and with the Pod Security webhook registered the same way: what a
// cluster's users wait for. It then issues one serving certificate for both webhooks on the loopback
// interface and, for each connection count, starts a fresh kubeguard and a fresh Pod Security webhook
// and sends each the same compliant Pod CREATE in turn, A, B, A, B, for several rounds. kubeguard is
// then measured alone on a mix of Pods, Deployments and RoleBindings, and profiled under load. Last, each
// attack of the load generator's --attack mode is made on a fresh kubeguard while ordinary reviews keep
// coming, and judged against kubeguard's targets under attack. The tables it prints are Markdown, with
// the median of the rounds.
//
// With -update it regenerates the request bodies in testdata/ from testdata/manifests instead.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
	"github.com/kubeguard/kubeguard/e2e/framework"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// settings are the benchmark's flags.
type settings struct {
	out            string
	rounds         int
	warmup         time.Duration
	duration       time.Duration
	connections    []int
	mixedConns     []int
	profileSeconds int
	update         bool
	comparison     bool
	attacks        bool
	attackDuration time.Duration
	// attackMatch selects the attacks made by name; nil makes them all.
	attackMatch *regexp.Regexp
	// apiServerClients are the concurrent client counts of the pod creates through the API server.
	apiServerClients  []int
	apiServerDuration time.Duration
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	// A flag set of its own: controller-runtime, linked in through envtest, registers flags on the global one.
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var s settings
	var conns, mixedConns, apiServerClients string
	fs.StringVar(&s.out, "out", "bin/bench", "directory for certificates, logs, profiles and results")
	fs.IntVar(&s.rounds, "rounds", 3, "rounds per setting; each round measures both webhooks in turn")
	fs.DurationVar(&s.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	fs.DurationVar(&s.duration, "duration", 8*time.Second, "length of each measurement")
	fs.StringVar(&conns, "connections", "1,8,64", "connection counts at which the webhooks are compared")
	fs.StringVar(&mixedConns, "mixed-connections", "64", "connection counts at which kubeguard is measured on the mixed bodies")
	fs.IntVar(&s.profileSeconds, "profile-seconds", 10, "length of each CPU profile of kubeguard under load (0: no profile)")
	fs.StringVar(&apiServerClients, "apiserver-clients", "1,32", "concurrent clients creating pods through the API server")
	fs.DurationVar(&s.apiServerDuration, "apiserver-duration", 5*time.Second, "length of each pod-create measurement through the API server")
	fs.BoolVar(&s.comparison, "comparison", true, "compare kubeguard with the Pod Security webhook, measure the mixed bodies and profile")
	fs.BoolVar(&s.attacks, "attacks", true, "make the hostile-request attacks, each on a fresh kubeguard")
	fs.DurationVar(&s.attackDuration, "attack-duration", 20*time.Second, "how long each attack starts new hostile requests")
	var attackMatch string
	fs.StringVar(&attackMatch, "attack-match", "", "make only the attacks whose names match this regular expression, e.g. 'baseline|slowloris' (default: all)")
	fs.BoolVar(&s.update, "update", false, "regenerate the request bodies in bench/webhook/testdata from its manifests, then exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if s.connections, err = parseInts(conns); err != nil {
		return fmt.Errorf("-connections: %w", err)
	}
	if s.mixedConns, err = parseInts(mixedConns); err != nil {
		return fmt.Errorf("-mixed-connections: %w", err)
	}
	if attackMatch != "" {
		if s.attackMatch, err = regexp.Compile(attackMatch); err != nil {
			return fmt.Errorf("-attack-match: %w", err)
		}
	}
	if s.rounds < 1 {
		return errors.New("-rounds must be at least 1")
	}
	if s.apiServerClients, err = parseInts(apiServerClients); err != nil {
		return fmt.Errorf("-apiserver-clients: %w", err)
	}
	if !s.comparison && !s.attacks && !s.update {
		return errors.New("-comparison=false and -attacks=false leave nothing to do")
	}

	root, err := framework.RepoRoot()
	if err != nil {
		return err
	}
	testdata := filepath.Join(root, "bench", "webhook", "testdata")
	if s.out, err = filepath.Abs(s.out); err != nil {
		return err
	}
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return err
	}

	if !s.comparison && !s.update {
		// kubeguard reads nothing from the cluster: the attacks need no control plane.
		e, err := newEnv(s.out, testdata, "")
		if err != nil {
			return err
		}
		return measure(ctx, nil, e, &s, stdout)
	}
	fmt.Fprintln(stdout, "bench: starting a cluster: etcd, kube-apiserver, controllers, scheduler, kwok with three nodes, kubeguard")
	cluster, err := framework.StartCluster(ctx, framework.ClusterOptions{Dir: filepath.Join(s.out, "cluster"), Nodes: 3})
	if err != nil {
		return err
	}
	defer func() { _ = cluster.Stop() }()
	cp := cluster.ControlPlane
	if err := createNamespace(ctx, cp, s.update); err != nil {
		return err
	}
	if s.update {
		if err := writeTestdata(ctx, cp, testdata); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "bench: wrote the request bodies in %s\n", testdata)
		return nil
	}

	e, err := newEnv(s.out, testdata, cp.Kubeconfig)
	if err != nil {
		return err
	}
	return measure(ctx, cluster, e, &s, stdout)
}

// measure runs the comparison, the mixed run and the profiles, and prints and saves the results.
// measure runs what the settings ask for; cluster is nil when only the attacks are made.
func measure(ctx context.Context, cluster *framework.Cluster, e *env, s *settings, stdout io.Writer) error {
	rep := report{Machine: describeMachine(), Settings: reportSettings{
		Rounds: s.rounds, WarmupSeconds: s.warmup.Seconds(), DurationSeconds: s.duration.Seconds(),
		Body: podBody.name, BodyBytes: fileSize(podBody.path(e.testdata)),
	}}
	rep.Machine.LoadBefore = loadAverage()
	fmt.Fprintf(stdout, "bench: %s, %d cores, %s, load average %s\n", rep.Machine.CPU, rep.Machine.Cores, rep.Machine.Go, rep.Machine.LoadBefore)

	if s.comparison {
		rows, err := measureAPIServer(ctx, cluster, e, s, stdout)
		if err != nil {
			return fmt.Errorf("pod creates through the API server: %w", err)
		}
		rep.APIServer = rows
		rep.Settings.APIServerSeconds = s.apiServerDuration.Seconds()
		if err := measureComparison(ctx, e, s, &rep, stdout); err != nil {
			return err
		}
	}
	if s.attacks {
		var err error
		if rep.Attacks, err = runAttacks(ctx, e, s.attackDuration, s.attackMatch, stdout); err != nil {
			return err
		}
	}
	rep.Machine.LoadAfter = loadAverage()

	var md strings.Builder
	rep.write(&md)
	fmt.Fprint(stdout, "\n", md.String())
	if err := os.WriteFile(filepath.Join(e.dir, "results.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	data, err := json.MarshalIndent(&rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(e.dir, "results.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bench: results in %s, logs in %s\n", filepath.Join(e.dir, "results.{md,json}"), filepath.Join(e.dir, "logs"))
	for _, row := range rep.APIServer {
		for setting, f := range row.Settings {
			if f.Errors > 0 {
				return fmt.Errorf("%d pod creates through the API server failed with %s: see %s", f.Errors, setting, cluster.Dir)
			}
		}
	}
	for _, g := range goals(rep.Comparison, rep.Mixed) {
		if !g.met && strings.HasPrefix(g.name, "no errors") {
			return errors.New("some requests failed or got the wrong verdict: see the logs")
		}
	}
	var missed []string
	for _, g := range attackGoals(rep.Attacks) {
		if !g.met && len(rep.Attacks) > 0 {
			missed = append(missed, fmt.Sprintf("%s: %s", g.name, g.got))
		}
	}
	if len(missed) > 0 {
		return fmt.Errorf("targets under attack missed: %s", strings.Join(missed, "; "))
	}
	return nil
}

// measureComparison compares kubeguard with the Pod Security webhook, measures it on the mixed bodies and
// profiles it.
func measureComparison(ctx context.Context, e *env, s *settings, rep *report, stdout io.Writer) error {
	for _, conns := range s.connections {
		c, err := compare(ctx, e, s, conns, stdout)
		if err != nil {
			return err
		}
		rep.Comparison = append(rep.Comparison, *c)
	}
	for _, conns := range s.mixedConns {
		m, err := measureMixed(ctx, e, s, conns, stdout)
		if err != nil {
			return err
		}
		rep.Mixed = append(rep.Mixed, *m)
	}
	if s.profileSeconds > 0 {
		conns := s.connections[len(s.connections)-1]
		for _, p := range []struct {
			server, name string
			bodies       []bodyFile
		}{{kubeguardName, "kubeguard-pod", []bodyFile{podBody}}, {kubeguardName, "kubeguard-mixed", mixedBodies}, {floorName, "floor-pod", []bodyFile{podBody}}} {
			fmt.Fprintf(stdout, "bench: profiling %s for %ds at %d connections (%s)\n", p.server, s.profileSeconds, conns, p.name)
			top, err := e.profile(ctx, p.server, p.name, p.bodies, conns, s.profileSeconds, stdout)
			if err != nil {
				return fmt.Errorf("profiling: %w", err)
			}
			rep.Profiles = append(rep.Profiles, filepath.Join(e.dir, p.name+".pprof"))
			fmt.Fprintln(stdout, firstLines(top, 40))
		}
	}
	return nil
}

// compare measures kubeguard, the Pod Security webhook and the floor webhook at one connection count, each
// started fresh so that its peak memory is this setting's, in turn round by round.
func compare(ctx context.Context, e *env, s *settings, conns int, progress io.Writer) (_ *comparison, err error) {
	tag := fmt.Sprintf("c%d", conns)
	kg, err := e.startKubeguard(ctx, tag)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, kg.stop()) }()
	psa, err := e.startPSA(ctx, tag)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, psa.stop()) }()
	fl, err := e.startFloor(ctx, tag)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fl.stop()) }()

	rounds := map[*target][]*loadreport.Report{}
	for round := 1; round <= s.rounds; round++ {
		for _, t := range []*target{kg, psa, fl} {
			res, err := e.run(ctx, load{
				target: t, bodies: []bodyFile{podBody}, connections: conns, warmup: s.warmup, duration: s.duration,
				label: fmt.Sprintf("%s, round %d/%d", t.name, round, s.rounds),
			}, progress)
			if err != nil {
				return nil, err
			}
			rounds[t] = append(rounds[t], res)
		}
	}
	return &comparison{Connections: conns, Kubeguard: summarize(rounds[kg]), PSA: summarize(rounds[psa]), Floor: summarize(rounds[fl])}, nil
}

// measureMixed measures a fresh kubeguard alone on the mixed bodies.
func measureMixed(ctx context.Context, e *env, s *settings, conns int, progress io.Writer) (_ *mixed, err error) {
	kg, err := e.startKubeguard(ctx, fmt.Sprintf("mixed-c%d", conns))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, kg.stop()) }()
	var rounds []*loadreport.Report
	for round := 1; round <= s.rounds; round++ {
		res, err := e.run(ctx, load{
			target: kg, bodies: mixedBodies, connections: conns, warmup: s.warmup, duration: s.duration,
			label: fmt.Sprintf("kubeguard mixed, round %d/%d", round, s.rounds),
		}, progress)
		if err != nil {
			return nil, err
		}
		rounds = append(rounds, res)
	}
	return &mixed{Connections: conns, Kubeguard: summarize(rounds)}, nil
}

// createNamespace creates the namespace the bodies' objects are in. To make the bodies (dryRun), it is in
// kubeguard's dry-run mode: the API server then returns the objects kubeguard would deny, with warnings.
func createNamespace(ctx context.Context, cp *framework.ControlPlane, dryRun bool) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNamespace}}
	if dryRun {
		ns.Labels = map[string]string{framework.ModeLabel: "dry-run"}
	}
	_, err := cp.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func parseInts(list string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no number given")
	}
	return out, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}
