// Command fleet measures what a fleet of instances sharing one revocation
// list through Redis can promise, against real redis-server processes it
// starts and signals itself (SIGKILL, SIGSTOP, restarts), and with -check
// fails when a figure breaks its threshold (the fleet step of .ci/run):
//
//   - propagation: a revocation made on one instance until every instance
//     refuses the token, p50 and p99;
//   - crashes: revocations streamed from every instance while the server
//     is killed with SIGKILL and restarted, with and without persistence;
//     acknowledged (and queued) revocations missing afterwards;
//   - stall: the server stopped with SIGSTOP while every instance writes
//     with a one-second deadline; the longest write, and the instances
//     that reported the stall;
//   - restore: the server restarted empty under a fleet holding the list;
//     PUBLISH and ZADD calls (INFO commandstats), the server's peak
//     memory, subscribers cut off, and the time to settle;
//   - resync: the CPU time and garbage of the resynchronisations of one
//     instance holding a million entries while nothing changes;
//   - web: pages of a site whose sessions live in Redis, loaded by several
//     clients per session while the server is stopped: the longest
//     request, the 503s, and the refresh grants per session.
//
// Results print as Markdown for docs/fleet.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/redis/go-redis/v9"
)

type config struct {
	instances     int
	samples, rate int
	rounds        int
	restore       int
	resync        int
	stall         time.Duration
	steps         string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.instances, "instances", 10, "instances in the fleet")
	flag.IntVar(&cfg.samples, "samples", 500, "revocations timed for propagation")
	flag.IntVar(&cfg.rate, "rate", 200, "revocations per second during the propagation run")
	flag.IntVar(&cfg.rounds, "rounds", 3, "kill -9 rounds, with and without persistence each")
	flag.IntVar(&cfg.restore, "restore", 10_000, "entries held by the fleet when the server restarts empty")
	flag.IntVar(&cfg.resync, "resync", 1_000_000, "entries held while resynchronisations are measured")
	flag.DurationVar(&cfg.stall, "stall", 3*time.Second, "how long the server is stopped")
	flag.StringVar(&cfg.steps, "steps", "propagation,crashes,stall,restore,resync,web", "the measurements to run, comma-separated")
	check := flag.Bool("check", false, "exit 1 when a figure breaks its threshold")
	flag.Parse()
	// go-redis logs every failed dial; the crash runs make thousands.
	redis.SetLogger(measure.QuietLogger{})
	res, err := run(os.Stdout, cfg)
	if err != nil {
		log.Fatal(err)
	}
	if *check {
		if bad := res.violations(); len(bad) > 0 {
			fmt.Println("### Thresholds broken")
			fmt.Println()
			for _, b := range bad {
				fmt.Println("- " + b)
			}
			os.Exit(1)
		}
		fmt.Println("Every threshold held.")
	}
}

// results are the figures the thresholds judge.
type results struct {
	instances        int
	propagationP99   time.Duration
	neverConverged   int
	lostAcked        [2]int // without, with persistence
	lostQueued       [2]int
	longestWrite     time.Duration
	stallReported    int
	restoreEntries   int
	publishes, zadds int64
	restorers        int
	cutOff           int
	settle           time.Duration
	peakMemory       int64
	cpuPerResync     time.Duration
	garbagePerResync float64
	resyncsMeasured  int
	webLongest       time.Duration
}

// violations lists each figure beyond its threshold. The thresholds are
// the promises, with room for a loaded shared machine.
func (r results) violations() []string {
	var out []string
	add := func(bad bool, format string, args ...any) {
		if bad {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	add(r.neverConverged > 0, "%d revocations never reached every instance", r.neverConverged)
	add(r.propagationP99 > 250*time.Millisecond, "propagation p99 %s > 250 ms", measure.Ms(r.propagationP99))
	for i, mode := range []string{"without", "with"} {
		add(r.lostAcked[i] > 0, "%d acknowledged revocations lost over kill -9 rounds %s persistence", r.lostAcked[i], mode)
		add(r.lostQueued[i] > 0, "%d queued revocations lost over kill -9 rounds %s persistence", r.lostQueued[i], mode)
	}
	add(r.longestWrite > 1500*time.Millisecond, "a write with a 1 s deadline took %s during the stall (> 1.5 s)", measure.Ms(r.longestWrite))
	add(r.stallReported < r.instances, "the stall was reported on %d of %d instances", r.stallReported, r.instances)
	add(r.publishes > int64(2*r.restoreEntries), "the restore made %d PUBLISH calls for %d entries (> 2x)", r.publishes, r.restoreEntries)
	add(r.zadds > int64(2*2*r.restoreEntries), "the restore made %d ZADD calls for %d entries (> 2x, set and log)", r.zadds, r.restoreEntries)
	add(r.restorers != 1, "%d instances restored the list (want 1)", r.restorers)
	add(r.cutOff > 0, "%d subscribers were cut off during the restore", r.cutOff)
	add(r.settle > 10*time.Second, "the fleet took %s to settle after the empty restart (> 10 s)", r.settle)
	add(r.resyncsMeasured == 0, "no resynchronisation measured")
	add(r.cpuPerResync > 20*time.Millisecond, "a resync with nothing new took %s of CPU (> 20 ms)", measure.Ms(r.cpuPerResync))
	add(r.webLongest > 3*time.Second, "a page took %s during the stall (> 3 s)", measure.Ms(r.webLongest))
	add(r.garbagePerResync > 1<<20, "a resync with nothing new allocated %.0f bytes (> 1 MiB)", r.garbagePerResync)
	return out
}

func run(w io.Writer, cfg config) (results, error) {
	ctx := context.Background()
	res := results{instances: cfg.instances, restoreEntries: cfg.restore}
	fmt.Fprintf(w, "Machine: %s %s/%s, %d CPUs; %s. Load average before: %s.\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), time.Now().UTC().Format("2006-01-02 15:04 UTC"), measure.LoadAvg())
	fmt.Fprintf(w, "%d instances in one process, each with its own go-redis client.\n\n", cfg.instances)
	steps := map[string]func(context.Context, io.Writer, config, *results) error{
		"propagation": propagation, "crashes": crashes, "stall": stall, "restore": restore, "resync": resync, "web": webPages,
	}
	for _, name := range strings.Split(cfg.steps, ",") {
		step, ok := steps[name]
		if !ok {
			return res, fmt.Errorf("unknown step %q", name)
		}
		start := time.Now()
		if err := step(ctx, w, cfg, &res); err != nil {
			return res, fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(w, "(%s took %s)\n\n", name, time.Since(start).Round(time.Millisecond))
	}
	return res, nil
}
