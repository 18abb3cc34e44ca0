package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/redisstore"
)

func TestRevocationReachesEveryInstance(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	var fleet []*redisstore.Revocations
	for i := range 3 {
		fleet = append(fleet, newStore(t, newClient(t, srv.Addr(), fmt.Sprint("i", i)), redisstore.WithResyncInterval(never)))
	}
	now := time.Now()
	byJTI := claims("sub-1", "jti-1", "family-1", now.Add(-time.Minute))
	byFamily := claims("sub-2", "jti-2", "family-2", now.Add(-time.Minute))
	bySubject := claims("sub-3", "jti-3", "family-3", now.Add(-time.Minute))
	for _, r := range fleet {
		if r.Revoked(byJTI) || r.Revoked(byFamily) || r.Revoked(bySubject) {
			t.Fatal("revoked before any revocation")
		}
	}
	if err := fleet[0].RevokeJTI(ctx, "jti-1"); err != nil {
		t.Fatal(err)
	}
	if err := fleet[1].RevokeFamily(ctx, "family-2"); err != nil {
		t.Fatal(err)
	}
	if err := fleet[2].RevokeSubject(ctx, "sub-3", now); err != nil {
		t.Fatal(err)
	}
	for i, r := range fleet {
		eventually(t, fmt.Sprint("instance ", i, " honours all three"), func() bool {
			return r.Revoked(byJTI) && r.Revoked(byFamily) && r.Revoked(bySubject)
		})
	}
	// Each entry matches only what it names.
	other := claims("sub-9", "jti-9", "family-9", now.Add(-time.Minute))
	for _, r := range fleet {
		if r.Revoked(other) {
			t.Error("an unrelated token is refused")
		}
	}
}

func TestRevokeSubjectOnlyRefusesTokensIssuedBefore(t *testing.T) {
	srv := startRedis(t, false)
	r := newStore(t, newClient(t, srv.Addr(), "a"))
	ctx := context.Background()
	cut := time.Now().Truncate(time.Second)
	if err := r.RevokeSubject(ctx, "sub-1", cut); err != nil {
		t.Fatal(err)
	}
	if !r.Revoked(claims("sub-1", "j", "f", cut.Add(-time.Second))) {
		t.Error("a token issued before the cut-off is admitted")
	}
	if r.Revoked(claims("sub-1", "j", "f", cut)) {
		t.Error("a token issued at the cut-off is refused")
	}
	// An earlier cut-off does not shorten a later one.
	if err := r.RevokeSubject(ctx, "sub-1", cut.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !r.Revoked(claims("sub-1", "j", "f", cut.Add(-time.Second))) {
		t.Error("an earlier cut-off undid a later one")
	}
	// A new instance loads the later one from Redis.
	late := newStore(t, newClient(t, srv.Addr(), "b"))
	if !late.Revoked(claims("sub-1", "j", "f", cut.Add(-time.Second))) {
		t.Error("Redis kept the earlier cut-off")
	}
}

// A cut-off past what Unix nanoseconds hold (after 2262: a user banned
// for good, say) is kept as the last of them, in the replica and in
// Redis, and refuses every token of the subject instead of wrapping into
// the past and being dropped as expired.
func TestRevokeSubjectFarInTheFuture(t *testing.T) {
	srv := startRedis(t, false)
	r := newStore(t, newClient(t, srv.Addr(), "a"))
	if err := r.RevokeSubject(context.Background(), "banned", time.Unix(1<<34, 0)); err != nil {
		t.Fatal(err)
	}
	late := newStore(t, newClient(t, srv.Addr(), "b"))
	for name, s := range map[string]*redisstore.Revocations{"writer": r, "new instance": late} {
		for _, iat := range []time.Time{time.Now(), time.Unix(0, math.MaxInt64), time.Unix(1<<34-1, 0)} {
			if !s.Revoked(claims("banned", "j", "f", iat)) {
				t.Errorf("%s: a token of %d of a subject banned until 2514 is admitted", name, iat.Unix())
			}
		}
		if s.Revoked(claims("another", "j", "f", time.Now())) {
			t.Errorf("%s: another subject's token is refused", name)
		}
	}
}

func TestNilRevocationsIsAnEmptyList(t *testing.T) {
	var r *redisstore.Revocations
	if r.Revoked(claims("s", "j", "f", time.Now())) {
		t.Error("a nil list refuses a token")
	}
	zero := &redisstore.Revocations{}
	if zero.Revoked(claims("s", "j", "f", time.Now())) {
		t.Error("a zero list refuses a token")
	}
	if err := zero.RevokeJTI(context.Background(), "j"); !errors.Is(err, redisstore.ErrClosed) {
		t.Errorf("RevokeJTI on a zero list: %v, want ErrClosed", err)
	}
	if err := zero.Close(); !errors.Is(err, redisstore.ErrClosed) {
		t.Errorf("Close on a zero list: %v, want ErrClosed", err)
	}
}

func TestEmptyIdentifierIsRejected(t *testing.T) {
	srv := startRedis(t, false)
	r := newStore(t, newClient(t, srv.Addr(), "a"))
	ctx := context.Background()
	for name, err := range map[string]error{
		"jti":     r.RevokeJTI(ctx, ""),
		"family":  r.RevokeFamily(ctx, ""),
		"subject": r.RevokeSubject(ctx, "", time.Now()),
	} {
		if !errors.Is(err, redisstore.ErrEmptyID) {
			t.Errorf("%s: got %v, want ErrEmptyID", name, err)
		}
	}
	if r.Len() != 0 {
		t.Errorf("replica holds %d entries", r.Len())
	}
}

func TestNewInstanceLoadsTheList(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	a := newStore(t, newClient(t, srv.Addr(), "a"))
	for i := range 50 {
		if err := a.RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	b := newStore(t, newClient(t, srv.Addr(), "b"), redisstore.WithResyncInterval(never))
	for i := range 50 {
		if !b.Revoked(claims("s", fmt.Sprint("jti-", i), "f", time.Now())) {
			t.Fatalf("jti-%d missing from a new instance", i)
		}
	}
}

func TestNewRevocationsFailsWhenRedisIsUnreachable(t *testing.T) {
	srv := startRedis(t, false)
	addr := srv.Addr()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := redisstore.NewRevocations(ctx, newClient(t, addr, "a"))
	if err == nil {
		_ = r.Close()
		t.Fatal("NewRevocations succeeded with no Redis")
	}
}

// clientID returns the id of the named client's pub/sub connection.
func pubsubClientID(t *testing.T, admin *redis.Client, name string) string {
	t.Helper()
	list, err := admin.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") || !strings.Contains(line, "sub=1") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				return id
			}
		}
	}
	t.Fatalf("no pub/sub connection named %s", name)
	return ""
}

func TestMissedMessagesConvergeOnReconnect(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	a := newStore(t, newClient(t, srv.Addr(), "a"), redisstore.WithResyncInterval(never))
	var connected atomic.Int32
	b := newStore(t, newClient(t, srv.Addr(), "b"), redisstore.WithResyncInterval(never),
		redisstore.WithHooks(redisstore.Hooks{Connected: func() { connected.Add(1) }}))
	admin := newClient(t, srv.Addr(), "admin")

	// Cut b off the channel, then revoke on a many times: some messages
	// are published while b is not subscribed.
	id := pubsubClientID(t, admin, "b")
	if err := admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := a.RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "b resubscribed", func() bool { return connected.Load() >= 2 })
	eventually(t, "b holds every revocation", func() bool {
		for i := range 200 {
			if !b.Revoked(claims("s", fmt.Sprint("jti-", i), "f", time.Now())) {
				return false
			}
		}
		return true
	})
}

func TestRedisRestartLosesNothing(t *testing.T) {
	srv := startRedis(t, true)
	ctx := context.Background()
	var unreachable, lagging atomic.Int32
	hooks := redisstore.Hooks{
		Unreachable: func(error) { unreachable.Add(1) },
		Lagging:     func(int, error) { lagging.Add(1) },
	}
	logs := &lockedBuffer{}
	opts := []redisstore.Option{redisstore.WithResyncInterval(never), redisstore.WithRetryInterval(50 * time.Millisecond), redisstore.WithHooks(hooks),
		redisstore.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}
	a := newStore(t, newClient(t, srv.Addr(), "a"), opts...)
	b := newStore(t, newClient(t, srv.Addr(), "b"), opts...)

	const before, during = 100, 20
	for i := range before {
		if err := a.RevokeJTI(ctx, fmt.Sprint("before-", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	for i := range during {
		err := a.RevokeFamily(ctx, fmt.Sprint("during-", i))
		if !errors.Is(err, redisstore.ErrQueued) {
			t.Fatalf("revocation while Redis is down: got %v, want ErrQueued", err)
		}
		if strings.Contains(err.Error(), "during-") {
			t.Fatal("the error echoes the revoked identifier")
		}
		if !a.Revoked(claims("s", "j", fmt.Sprint("during-", i), time.Now())) {
			t.Fatal("a queued revocation is not in force locally")
		}
	}
	if a.Pending() != during {
		t.Errorf("pending %d, want %d", a.Pending(), during)
	}
	if lagging.Load() == 0 {
		t.Error("no Lagging hook call")
	}
	// b still answers from its replica.
	if !b.Revoked(claims("s", "before-0", "f", time.Now())) && !a.Revoked(claims("s", "before-0", "f", time.Now())) {
		t.Error("replicas forgot entries while Redis was down")
	}
	eventually(t, "the outage was reported", func() bool { return unreachable.Load() > 0 })

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a's queue drained", func() bool { return a.Pending() == 0 })
	holdsAll := func(r *redisstore.Revocations) bool {
		for i := range before {
			if !r.Revoked(claims("s", fmt.Sprint("before-", i), "f", time.Now())) {
				return false
			}
		}
		for i := range during {
			if !r.Revoked(claims("s", "j", fmt.Sprint("during-", i), time.Now())) {
				return false
			}
		}
		return true
	}
	eventually(t, "b holds every revocation", func() bool { return holdsAll(b) })
	// Redis itself has all of them: a new instance loads every one.
	if c := newStore(t, newClient(t, srv.Addr(), "c")); !holdsAll(c) {
		t.Error("a new instance misses revocations after the restart")
	}
	// The log told the story without naming what was revoked.
	eventually(t, "the log reports the recovery", func() bool { return strings.Contains(logs.String(), "reachable again") })
	out := logs.String()
	for _, want := range []string{"redis unreachable", "revocation queued", "queued revocations written"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "during-") || strings.Contains(out, "before-") {
		t.Errorf("the log names a revoked identifier:\n%s", out)
	}
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRedisRestartWithoutPersistenceIsRepairedFromReplicas(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	a := newStore(t, newClient(t, srv.Addr(), "a"), redisstore.WithResyncInterval(never))
	for i := range 30 {
		if err := a.RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Without persistence the restarted Redis is empty; a's resync on
	// reconnection writes back what it holds.
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	admin := newClient(t, srv.Addr(), "admin")
	eventually(t, "Redis repaired", func() bool {
		n, err := admin.ZCard(ctx, "{cognitojwt:revocations}:j").Result()
		return err == nil && n == 30
	})
	c := newStore(t, newClient(t, srv.Addr(), "c"))
	if !c.Revoked(claims("s", "jti-29", "f", time.Now())) {
		t.Error("a new instance misses a repaired revocation")
	}
}

// clock is a settable clock for the expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestEntriesExpireAfterTheTTL(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	clk := &clock{t: time.Now()}
	var lastResync atomic.Int64
	r := newStore(t, newClient(t, srv.Addr(), "a"),
		redisstore.WithTTL(time.Hour), redisstore.WithClock(clk.now), redisstore.WithResyncInterval(20*time.Millisecond),
		redisstore.WithHooks(redisstore.Hooks{Resynced: func(n int) { lastResync.Store(int64(n)) }}))
	if err := r.RevokeJTI(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	clk.add(30 * time.Minute)
	if err := r.RevokeJTI(ctx, "young"); err != nil {
		t.Fatal(err)
	}
	clk.add(31 * time.Minute)
	eventually(t, "the old entry pruned", func() bool { return r.Len() == 1 })
	if r.Revoked(claims("s", "old", "f", clk.now())) {
		t.Error("an expired entry still matches")
	}
	if !r.Revoked(claims("s", "young", "f", clk.now())) {
		t.Error("a live entry was pruned")
	}
	admin := newClient(t, srv.Addr(), "admin")
	if n := admin.ZCard(ctx, "{cognitojwt:revocations}:j").Val(); n != 1 {
		t.Errorf("Redis holds %d entries, want 1", n)
	}
	// A revocation whose tokens have all expired is not stored.
	if err := r.RevokeSubject(ctx, "s", clk.now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 1 {
		t.Errorf("an already expired revocation was stored")
	}
}

func TestCloseStopsReplicationAndReportsUnwrittenRevocations(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr(), "a")
	r, err := redisstore.NewRevocations(ctx, rdb, redisstore.WithRetryInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := r.RevokeJTI(ctx, "j"); !errors.Is(err, redisstore.ErrQueued) {
		t.Fatalf("got %v, want ErrQueued", err)
	}
	if err := r.Close(); err == nil || !strings.Contains(err.Error(), "1 revocations not written") {
		t.Errorf("Close: got %v, want a report of the unwritten revocation", err)
	}
	if err := r.Close(); !errors.Is(err, redisstore.ErrClosed) {
		t.Errorf("second Close: got %v, want ErrClosed", err)
	}
	if !r.Revoked(claims("s", "j", "f", time.Now())) {
		t.Error("the replica forgot its entries at Close")
	}
	if err := r.RevokeFamily(ctx, "f"); !errors.Is(err, redisstore.ErrClosed) {
		t.Errorf("RevokeFamily after Close: got %v, want ErrClosed", err)
	}
}

func TestPersistedRevocationsSurviveACrash(t *testing.T) {
	srv := startRedis(t, true)
	ctx := context.Background()
	rdb := newClient(t, srv.Addr(), "a")
	a, err := redisstore.NewRevocations(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	for i := range n {
		if err := a.RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	// No instance is left to write anything back: what the new instance
	// finds is what Redis kept across a SIGKILL.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	c := newStore(t, newClient(t, srv.Addr(), "c"))
	for i := range n {
		if !c.Revoked(claims("s", fmt.Sprint("jti-", i), "f", time.Now())) {
			t.Fatalf("jti-%d lost across the crash", i)
		}
	}
}

func TestFloodOfRevocationsIsBoundedInRedisAndReplicas(t *testing.T) {
	srv := startRedis(t, false)
	ctx := context.Background()
	clk := &clock{t: time.Now()}
	var dropped atomic.Int64
	opts := []redisstore.Option{
		redisstore.WithMaxEntries(50), redisstore.WithClock(clk.now), redisstore.WithResyncInterval(20 * time.Millisecond),
		redisstore.WithHooks(redisstore.Hooks{Dropped: func(n int) { dropped.Add(int64(n)) }}),
	}
	a := newStore(t, newClient(t, srv.Addr(), "a"), opts...)
	b := newStore(t, newClient(t, srv.Addr(), "b"), opts...)
	const n = 200
	for i := range n {
		clk.add(time.Millisecond) // distinct moments: the order is clear
		if err := a.RevokeJTI(ctx, fmt.Sprint("jti-", i)); err != nil {
			t.Fatal(err)
		}
	}
	admin := newClient(t, srv.Addr(), "admin")
	if got := admin.ZCard(ctx, "{cognitojwt:revocations}:j").Val(); got != 50 {
		t.Errorf("Redis holds %d entries, want 50", got)
	}
	for name, r := range map[string]*redisstore.Revocations{"a": a, "b": b} {
		eventually(t, name+" within the bound", func() bool { return r.Len() == 50 })
		for i := range n {
			if got, want := r.Revoked(claims("s", fmt.Sprint("jti-", i), "f", clk.now())), i >= n-50; got != want {
				t.Fatalf("%s: jti-%d revoked %v, want %v (the newest 50 stay)", name, i, got, want)
			}
		}
	}
	if dropped.Load() < n-50 {
		t.Errorf("Dropped reported %d, want at least %d", dropped.Load(), n-50)
	}
}
