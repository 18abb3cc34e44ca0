package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/cputime"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/redisstore"
	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
)

// resync loads cfg.resync entries into one instance, then measures the
// CPU time and the bytes allocated by its resynchronisations while
// nothing changes.
func resync(ctx context.Context, w io.Writer, cfg config, res *results) error {
	srv, err := startServer(false)
	if err != nil {
		return err
	}
	defer srv.Stop()
	rdb := admin(srv.Addr())
	defer rdb.Close()
	now := time.Now().UnixMilli()
	for start := 0; start < cfg.resync; start += 10_000 {
		members := make([]redis.Z, 0, 10_000)
		for i := start; i < min(start+10_000, cfg.resync); i++ {
			members = append(members, redis.Z{Score: float64(now), Member: fmt.Sprintf("%036d", i)})
		}
		if err := rdb.ZAdd(ctx, "{cognitojwt:revocations}:j", members...).Err(); err != nil {
			return err
		}
	}
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), DisableIdentity: true})
	defer client.Close()
	var resyncs atomic.Int64
	loadStart := time.Now()
	l, err := redisstore.NewRevocations(ctx, client, redisstore.WithResyncInterval(100*time.Millisecond), redisstore.WithMaxEntries(max(cfg.resync, redisstore.DefaultMaxEntries)),
		redisstore.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		redisstore.WithHooks(redisstore.Hooks{Resynced: func(int) { resyncs.Add(1) }}))
	if err != nil {
		return err
	}
	defer l.Close()
	load := time.Since(loadStart)
	if l.Len() != cfg.resync {
		return fmt.Errorf("loaded %d entries, want %d", l.Len(), cfg.resync)
	}
	time.Sleep(300 * time.Millisecond)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, okCPU := cputime.Process()
	r0 := resyncs.Load()
	time.Sleep(5 * time.Second)
	r1 := resyncs.Load()
	cpu1, _ := cputime.Process()
	runtime.ReadMemStats(&m1)
	n := r1 - r0
	res.resyncsMeasured = int(n)
	fmt.Fprintln(w, "### Resynchronisation with nothing new")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "One instance holding %d entries (loaded in %s); resync every 100 ms for 5 s; the process's CPU time and allocations over the window, divided by the resyncs.\n\n", cfg.resync, measure.Ms(load))
	fmt.Fprintln(w, "| resyncs | CPU per resync | allocated per resync | per 30 s at the default 1 s interval |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	if n == 0 {
		fmt.Fprintln(w, "| 0 | - | - | - |")
		fmt.Fprintln(w)
		return nil
	}
	res.garbagePerResync = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n)
	cpu := "unmeasured"
	if okCPU {
		res.cpuPerResync = (cpu1 - cpu0) / time.Duration(n)
		cpu = measure.Ms(res.cpuPerResync)
	}
	fmt.Fprintf(w, "| %d | %s | %.0f B | %s CPU, %.1f KB |\n\n", n, cpu, res.garbagePerResync, measure.Ms(30*res.cpuPerResync), 30*res.garbagePerResync/1e3)
	return nil
}
