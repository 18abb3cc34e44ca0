// Command convergence measures how a revocation list shared through Redis
// converges across a fleet: N instances in one process, each with its own
// Redis client, against a real redis-server (started here unless -redis is
// given).
//
//   - propagation: a revocation made on one instance, until every other
//     instance's Revoked honours it (pub/sub), as percentiles;
//   - missed messages: entries written to Redis without their message, and
//     instances whose subscription is killed (CLIENT KILL), until every
//     instance holds them (resync), against the resync interval;
//   - restart: a redis-server with persistence killed (SIGKILL) and restarted
//     during a stream of revocations; counts what was lost.
//
// Results are printed as Markdown for bench/RESULTS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func main() {
	var (
		addr      = flag.String("redis", "", "address of a running Redis (default: start a redis-server on a free loopback port)")
		instances = flag.Int("instances", 10, "instances in the fleet")
		samples   = flag.Int("samples", 1000, "revocations timed for propagation")
		rate      = flag.Int("rate", 200, "revocations per second during the propagation run")
		resync    = flag.Duration("resync", 2*time.Second, "resync interval of every instance")
		rounds    = flag.Int("rounds", 5, "rounds of the missed-message and restart runs")
	)
	flag.Parse()
	// go-redis logs every failed dial; the restart run makes thousands.
	redis.SetLogger(measure.QuietLogger{})
	if err := run(os.Stdout, *addr, *instances, *samples, *rate, *resync, *rounds); err != nil {
		log.Fatal(err)
	}
}

type fleet struct {
	measure.Instances
}

func newFleet(ctx context.Context, addr string, n int, resync time.Duration) (*fleet, error) {
	f := &fleet{}
	for i := range n {
		rdb := redis.NewClient(&redis.Options{
			Addr: addr, ClientName: fmt.Sprint("instance-", i), DisableIdentity: true,
			DialTimeout: 500 * time.Millisecond, DialerRetries: 1, DialerRetryTimeout: 10 * time.Millisecond, MaxRetries: -1,
		})
		if err := f.Add(ctx, rdb, redisstore.WithResyncInterval(resync), redisstore.WithRetryInterval(100*time.Millisecond)); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func run(w io.Writer, addr string, n, samples, rate int, resync time.Duration, rounds int) error {
	ctx := context.Background()
	var srv *redisserver.Server
	if addr == "" {
		var err error
		srv, err = redisserver.Start(redisserver.Config{AppendOnly: true})
		if err != nil {
			return err
		}
		defer srv.Stop()
		addr = srv.Addr()
	}
	admin := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	defer admin.Close()
	if err := admin.FlushAll(ctx).Err(); err != nil {
		return err
	}
	f, err := newFleet(ctx, addr, n, resync)
	if err != nil {
		return err
	}
	defer f.Close()

	fmt.Fprintf(w, "Machine: %s %s/%s, %d CPUs; %s. Load average before: %s. Redis at %s.\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02 15:04 UTC"), measure.LoadAvg(), addr)
	fmt.Fprintf(w, "%d instances in one process, each with its own client; resync interval %s.\n\n", n, resync)

	if err := propagation(ctx, w, f, samples, rate); err != nil {
		return err
	}
	if err := missed(ctx, w, f, admin, resync, rounds); err != nil {
		return err
	}
	if srv != nil {
		return restart(ctx, w, f, srv, rounds)
	}
	fmt.Fprintln(w, "restart: skipped (-redis given; the run needs a redis-server it started)")
	return nil
}

// propagation revokes jtis on instance i mod n at the given rate, each
// timed from the call until every instance (the writer included) refuses
// it. Several are in flight at once, as in a fleet under load.
func propagation(ctx context.Context, w io.Writer, f *fleet, samples, rate int) error {
	type flight struct {
		c       *cognitojwt.Claims
		start   time.Time
		pending []*redisstore.Revocations
	}
	// One goroutine polls every revocation in flight: a goroutine per
	// revocation would load the scheduler, and so the figures, as the
	// flights pile up.
	started := make(chan *flight, samples)
	var lat []time.Duration
	lost := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		var inFlight []*flight
		open := true
		for open || len(inFlight) > 0 {
			for drained := false; !drained; {
				select {
				case fl, ok := <-started:
					if !ok {
						open, drained = false, true
						break
					}
					inFlight = append(inFlight, fl)
				default:
					drained = true
				}
			}
			now := time.Now()
			inFlight = slices.DeleteFunc(inFlight, func(fl *flight) bool {
				fl.pending = slices.DeleteFunc(fl.pending, func(l *redisstore.Revocations) bool { return l.Revoked(fl.c) })
				if len(fl.pending) == 0 {
					lat = append(lat, now.Sub(fl.start))
					return true
				}
				if now.Sub(fl.start) > 30*time.Second {
					lost++
					return true
				}
				return false
			})
			time.Sleep(100 * time.Microsecond)
		}
	}()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var err error
	for i := range samples {
		<-tick.C
		jti := fmt.Sprintf("prop-%d-%d", time.Now().UnixNano(), i)
		start := time.Now()
		if err = f.Lists[i%len(f.Lists)].RevokeJTI(ctx, jti); err != nil {
			break
		}
		started <- &flight{c: &cognitojwt.Claims{JWTID: jti}, start: start, pending: slices.Clone(f.Lists)}
	}
	close(started)
	<-done
	if err != nil {
		return err
	}
	slices.Sort(lat)
	fmt.Fprintln(w, "### Propagation: one instance revokes, every instance refuses")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d revocations at %d/s, each made on one of the instances in turn and timed from the call until all %d refuse the token.\n\n", samples, rate, len(f.Lists))
	fmt.Fprintln(w, "| p50 | p90 | p99 | max | never converged |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	fmt.Fprintf(w, "| %s | %s | %s | %s | %d |\n\n", pct(lat, 50), pct(lat, 90), pct(lat, 99), measure.Ms(lat[len(lat)-1]), lost)
	return nil
}

// missed measures the two ways an instance misses messages: an entry that
// reaches Redis without its message (found by the periodic resync), and a
// killed subscription (found by the resync on reconnection).
func missed(ctx context.Context, w io.Writer, f *fleet, admin *redis.Client, resync time.Duration, rounds int) error {
	var lost, killed []time.Duration
	for r := range rounds {
		id := fmt.Sprintf("lost-%d-%d", time.Now().UnixNano(), r)
		start := time.Now()
		if err := lostWrite(ctx, admin, id); err != nil {
			return err
		}
		d, ok := f.WaitAll(&cognitojwt.Claims{OriginJTI: id}, start, 3*resync+10*time.Second)
		if !ok {
			return fmt.Errorf("a message lost in flight never converged (%s)", d)
		}
		lost = append(lost, d)

		// Kill every subscription but the writer's, then revoke at once.
		if err := killSubscriptions(ctx, admin, "instance-0"); err != nil {
			return err
		}
		id = fmt.Sprintf("killed-%d-%d", time.Now().UnixNano(), r)
		start = time.Now()
		if err := f.Lists[0].RevokeFamily(ctx, id); err != nil {
			return err
		}
		d, ok = f.WaitAll(&cognitojwt.Claims{OriginJTI: id}, start, 3*resync+10*time.Second)
		if !ok {
			return fmt.Errorf("instances whose subscription was killed never converged (%s)", d)
		}
		killed = append(killed, d)
	}
	slices.Sort(lost)
	slices.Sort(killed)
	fmt.Fprintln(w, "### Missed messages: convergence through resynchronisation")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%d rounds each; resync interval %s.\n\n", rounds, resync)
	fmt.Fprintln(w, "| case | min | median | max | within one interval |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	fmt.Fprintf(w, "| entry in Redis, message lost (periodic resync) | %s | %s | %s | %v |\n", measure.Ms(lost[0]), measure.Ms(lost[len(lost)/2]), measure.Ms(lost[len(lost)-1]), lost[len(lost)-1] <= resync+100*time.Millisecond)
	fmt.Fprintf(w, "| %d subscriptions killed with CLIENT KILL, revocation published meanwhile (resync on reconnection) | %s | %s | %s | %v |\n\n", len(f.Lists)-1, measure.Ms(killed[0]), measure.Ms(killed[len(killed)/2]), measure.Ms(killed[len(killed)-1]), killed[len(killed)-1] <= resync+100*time.Millisecond)
	return nil
}

// lostWrite writes a family entry the way the store does (the set, the
// change log and the version, in one script) but publishes nothing, as
// when the message is lost in flight.
var lostScript = redis.NewScript(`
local v = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], v, 'f' .. ARGV[2] .. ' ' .. ARGV[3])
return v
`)

func lostWrite(ctx context.Context, admin *redis.Client, id string) error {
	now := time.Now()
	keys := []string{"{cognitojwt:revocations}:v", "{cognitojwt:revocations}:f", "{cognitojwt:revocations}:log"}
	return lostScript.Run(ctx, admin, keys, now.UnixMilli(), now.UnixMilli()*1e6, id).Err()
}

func killSubscriptions(ctx context.Context, admin *redis.Client, keep string) error {
	list, err := admin.ClientList(ctx).Result()
	if err != nil {
		return err
	}
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, "sub=1") || strings.Contains(line, " name="+keep+" ") {
			continue
		}
		for _, fld := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(fld, "id="); ok {
				if err := admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// restart streams revocations from every instance while the server is
// killed with SIGKILL and restarted, then checks that every revocation a
// caller made (acknowledged or queued) is in Redis and in every replica.
func restart(ctx context.Context, w io.Writer, f *fleet, srv *redisserver.Server, rounds int) error {
	fmt.Fprintln(w, "### Redis killed and restarted (append-only file, fsync always)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| round | revocations | acknowledged | queued (ErrQueued) | lost | all instances converged after restart |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for r := range rounds {
		var (
			mu           sync.Mutex
			ids          []string
			acked, queue int
			failed       error
		)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i, l := range f.Lists {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ; k++ {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
					id := fmt.Sprintf("restart-%d-%d-%d", r, i, k)
					cctx, cancel := context.WithTimeout(ctx, time.Second)
					err := l.RevokeJTI(cctx, id)
					cancel()
					mu.Lock()
					ids = append(ids, id)
					switch {
					case err == nil:
						acked++
					case errors.Is(err, redisstore.ErrQueued):
						queue++
					default:
						failed = err
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(300 * time.Millisecond)
		if err := srv.Kill(); err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond)
		if err := srv.Restart(); err != nil {
			return err
		}
		restarted := time.Now()
		time.Sleep(300 * time.Millisecond)
		close(stop)
		wg.Wait()
		if failed != nil {
			return fmt.Errorf("round %d: a revocation failed otherwise than queued: %w", r, failed)
		}

		// Every id must be in every replica and, once the queues drain, in
		// Redis.
		var slowest time.Duration
		for _, id := range ids {
			d, ok := f.WaitAll(&cognitojwt.Claims{JWTID: id}, restarted, 30*time.Second)
			if !ok {
				return fmt.Errorf("round %d: a revocation never reached every instance", r)
			}
			slowest = max(slowest, d)
		}
		for _, l := range f.Lists {
			for l.Pending() > 0 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
		lost := 0
		for _, id := range ids {
			if _, err := rdb.ZScore(ctx, "{cognitojwt:revocations}:j", id).Result(); err != nil {
				lost++
			}
		}
		_ = rdb.Close()
		fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %s |\n", r+1, len(ids), acked, queue, lost, measure.Ms(slowest))
	}
	fmt.Fprintln(w)
	return nil
}

func pct(sorted []time.Duration, p int) string { return measure.Ms(measure.Percentile(sorted, p)) }
