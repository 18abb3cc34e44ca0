package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt"
)

var (
	// ErrQueued: Redis could not be reached. The revocation is in force on
	// this instance and queued; it is written and published as soon as Redis
	// answers again. Other instances learn it then (or at their next
	// resynchronisation).
	ErrQueued = errors.New("redisstore: revocation applied locally and queued for retry; redis unreachable")
	// ErrEmptyID: an empty jti, origin_jti or sub would match nothing.
	ErrEmptyID = errors.New("redisstore: empty identifier")
	// ErrClosed: the Revocations was closed, or was not made by
	// NewRevocations.
	ErrClosed = errors.New("redisstore: closed")
)

// Hooks report the state of the replication. Every field is optional. The
// callbacks run on the store's own goroutines: keep them short and do not
// call back into the Revocations from them.
type Hooks struct {
	// Connected: the subscription is established (in NewRevocations) or
	// re-established. A resynchronisation follows at once.
	Connected func()
	// Resynced: the replica was merged with Redis; entries is the number
	// of live entries in it afterwards.
	Resynced func(entries int)
	// Lagging: Redis is behind this instance: pending revocations are
	// queued because a write failed (err).
	Lagging func(pending int, err error)
	// Unreachable: the subscription or a resynchronisation failed; the
	// replica keeps answering with what it holds.
	Unreachable func(err error)
	// Dropped: a resynchronisation dropped the dropped oldest entries of
	// the replica to keep each kind within WithMaxEntries.
	Dropped func(dropped int)
}

// Option configures NewRevocations.
type Option func(*options)

type options struct {
	ttl            time.Duration
	resync         time.Duration
	retry          time.Duration
	prefix         string
	logger         *slog.Logger
	hooks          Hooks
	now            func() time.Time
	healthInterval time.Duration
	maxEntries     int
}

// WithTTL sets how long an entry lives after its moment (the time of
// RevokeJTI or RevokeFamily, the before of RevokeSubject). It must be at
// least the longest lifetime of a token the entry may match, plus the
// clock skew between instances (each prunes by its own clock): Cognito
// tokens live at most a day, the default.
func WithTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// WithResyncInterval sets how often the replica is merged with Redis
// besides every (re)connection; a missed pub/sub message is honoured
// within this interval. Default 30 seconds.
func WithResyncInterval(d time.Duration) Option { return func(o *options) { o.resync = d } }

// WithRetryInterval sets how often queued writes are retried while Redis is
// unreachable. Default 1 second.
func WithRetryInterval(d time.Duration) Option { return func(o *options) { o.retry = d } }

// WithPrefix sets the prefix of the keys and the channel, so several lists
// can share one Redis. Default "cognitojwt:revocations". The keys wrap the
// prefix in a hash tag ({prefix}:j, :f and :s) so that one write, which touches
// several keys in one transaction, stays in one Redis Cluster slot.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// DefaultMaxEntries bounds each kind of entry (jti, family, subject) in
// Redis and in every replica: at about 140 bytes an entry plus its
// identifier (a 36-character jti), a full replica takes some 170 MB.
const DefaultMaxEntries = 300_000

// WithMaxEntries bounds each kind of entry in Redis and in every replica,
// so that a flood of revocations (a script signing in and out in a loop)
// cannot exhaust memory. Beyond it the oldest entries of the kind are
// dropped: Redis trims them at every write, a replica at its next resync,
// and logs and reports (Hooks.Dropped) how many. Size it for the
// revocations expected within the TTL, with room to spare: a dropped entry
// no longer refuses its tokens.
func WithMaxEntries(n int) Option { return func(o *options) { o.maxEntries = n } }

// WithLogger sets the logger of state changes. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHooks sets callbacks for state changes.
func WithHooks(h Hooks) Option { return func(o *options) { o.hooks = h } }

// WithClock sets the clock that dates revocations and expires entries.
// Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Revocations is a cognitojwt.RevocationList shared by every instance that
// uses the same Redis and prefix.
//
// Writes go to Redis (one sorted set per kind, scored by the entry's moment,
// trimmed of expired entries on every write) and are published on a
// channel in the same transaction. Each instance keeps a local replica that
// Revoked reads without any network round trip. The replica is updated from
// the channel, and merged with Redis on every (re)connection and every
// resync interval, so a missed message, a restarted instance or a failover
// converges within one interval. A resynchronisation also writes back the
// entries Redis lacks (a restart without persistence, a failover to a
// replica that missed the last writes), so what any instance knows is not
// lost.
//
// While Redis is unreachable the replica keeps answering with what it holds;
// a revocation made meanwhile takes effect on this instance at once, is
// queued, and its method returns ErrQueued: it is never dropped silently.
// Queued entries are retried every retry interval and on reconnection; one
// that expires while queued is discarded, since no token it matches can
// still be valid.
type Revocations struct {
	rdb     redis.UniversalClient
	opt     options
	keys    [kinds]string
	channel string
	replica *replica
	pubsub  *redis.PubSub

	mu          sync.Mutex
	pending     map[pendingKey]int64
	unreachable bool

	resyncNow chan struct{}
	closed    atomic.Bool
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

type pendingKey struct {
	kind kind
	id   string
}

var _ cognitojwt.RevocationReasoner = (*Revocations)(nil)

// NewRevocations subscribes to the list's channel, loads the list from
// Redis and starts replicating. It returns an error when Redis cannot be
// reached within ctx, so an instance does not start admitting tokens with a
// replica it knows to be empty. Close stops it.
func NewRevocations(ctx context.Context, rdb redis.UniversalClient, opts ...Option) (*Revocations, error) {
	if rdb == nil {
		return nil, errors.New("redisstore: nil redis client")
	}
	o := options{
		ttl:            24 * time.Hour,
		resync:         30 * time.Second,
		retry:          time.Second,
		prefix:         "cognitojwt:revocations",
		logger:         slog.Default(),
		now:            time.Now,
		healthInterval: 5 * time.Second,
		maxEntries:     DefaultMaxEntries,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ttl <= 0 || o.resync <= 0 || o.retry <= 0 || o.maxEntries <= 0 {
		return nil, errors.New("redisstore: TTL, resync and retry intervals and the entry bound must be positive")
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.now == nil {
		o.now = time.Now
	}
	r := &Revocations{
		rdb:       rdb,
		opt:       o,
		channel:   o.prefix + ":events",
		replica:   newReplica(),
		pending:   map[pendingKey]int64{},
		resyncNow: make(chan struct{}, 1),
	}
	for i, k := range allKinds {
		r.keys[i] = "{" + o.prefix + "}:" + string(k)
	}

	// Subscribe before loading, so that a revocation made between the two
	// arrives by one path or the other.
	r.pubsub = rdb.Subscribe(ctx, r.channel)
	msg, err := r.pubsub.Receive(ctx)
	if err == nil {
		if _, ok := msg.(*redis.Subscription); !ok {
			err = fmt.Errorf("unexpected reply %T", msg)
		}
	}
	if err == nil {
		_, err = r.resync(ctx)
	}
	if err != nil {
		_ = r.pubsub.Close()
		return nil, fmt.Errorf("redisstore: initial load: %w", err)
	}

	if h := o.hooks.Connected; h != nil {
		h()
	}
	if h := o.hooks.Resynced; h != nil {
		h(r.replica.len())
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Add(2)
	go r.receive(loopCtx)
	go r.maintain(loopCtx)
	return r, nil
}

// RevokeJTI revokes one token by its jti.
func (r *Revocations) RevokeJTI(ctx context.Context, jti string) error {
	return r.revoke(ctx, kindJTI, jti, r.clock())
}

// RevokeFamily revokes every token issued from one refresh token: the
// tokens whose origin_jti is originJTI (RevokeToken, sign-out of one
// device).
func (r *Revocations) RevokeFamily(ctx context.Context, originJTI string) error {
	return r.revoke(ctx, kindFamily, originJTI, r.clock())
}

// RevokeSubject revokes every token of the user sub issued before the
// moment before (attributes or groups changed, global sign-out, account
// disabled). A later call with an earlier before does not shorten it.
//
// Tokens carry their issue time in whole seconds: a token issued in the
// same second as before, but after it, counts as issued before and is
// refused too; the client's next refresh a second later is admitted.
func (r *Revocations) RevokeSubject(ctx context.Context, sub string, before time.Time) error {
	return r.revoke(ctx, kindSubject, sub, before)
}

// Revoked reports whether c matches a revocation the local replica holds.
// It makes no network call.
func (r *Revocations) Revoked(c *cognitojwt.Claims) bool {
	return r.RevocationReason(c) != cognitojwt.NotRevoked
}

// RevocationReason says which revocation the local replica holds for c, so
// that Verify can tell the client of a token refused by subject that a
// refresh will fix it. It makes no network call.
// A nil *Revocations, or one not made by NewRevocations, is an empty list.
func (r *Revocations) RevocationReason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	if r == nil || r.replica == nil || c == nil {
		return cognitojwt.NotRevoked
	}
	return r.replica.reason(c)
}

// Pending returns the number of revocations queued for Redis.
func (r *Revocations) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// Len returns the number of entries in the local replica, expired ones not
// yet pruned included.
func (r *Revocations) Len() int { return r.replica.len() }

// Close stops replication and waits for its goroutines. Revocations still
// queued are not written; Close reports how many as an error. The replica
// keeps answering Revoked with what it holds; the revoke methods return
// ErrClosed.
func (r *Revocations) Close() error {
	if r == nil || r.cancel == nil {
		return ErrClosed
	}
	err := ErrClosed
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.cancel()
		_ = r.pubsub.Close()
		r.wg.Wait()
		err = nil
		if n := r.Pending(); n > 0 {
			err = fmt.Errorf("redisstore: closed with %d revocations not written to redis", n)
		}
	})
	return err
}

func (r *Revocations) revoke(ctx context.Context, k kind, id string, moment time.Time) error {
	if r == nil || r.replica == nil || r.closed.Load() {
		return ErrClosed
	}
	if id == "" {
		return ErrEmptyID
	}
	e := entry{kind: k, id: id, moment: moment.UnixMilli()}
	if e.moment <= r.cutoff() {
		// Every token it could match has expired already.
		return nil
	}
	r.replica.add(e)
	if err := r.write(ctx, []entry{e}); err != nil {
		r.mu.Lock()
		pk := pendingKey{k, id}
		if cur, ok := r.pending[pk]; !ok || e.moment > cur {
			r.pending[pk] = e.moment
		}
		n := len(r.pending)
		r.mu.Unlock()
		r.opt.logger.Warn("redisstore: revocation queued; redis unreachable", "pending", n, "err", err)
		if h := r.opt.hooks.Lagging; h != nil {
			h(n, err)
		}
		return fmt.Errorf("%w: %w", ErrQueued, err)
	}
	return nil
}

// clock reads the configured clock; a Revocations not made by
// NewRevocations has none, and revoke refuses it.
func (r *Revocations) clock() time.Time {
	if r == nil || r.opt.now == nil {
		return time.Time{}
	}
	return r.opt.now()
}

// cutoff is the moment at or before which an entry has expired.
func (r *Revocations) cutoff() int64 {
	return r.opt.now().Add(-r.opt.ttl).UnixMilli()
}

// write adds entries to Redis, trims the expired ones and publishes the new
// ones, in one transaction: a subscriber never hears of an entry that a
// resynchronisation would not find.
func (r *Revocations) write(ctx context.Context, entries []entry) error {
	cutoff := strconv.FormatInt(r.cutoff(), 10)
	_, err := r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		var touched [kinds]bool
		for _, e := range entries {
			i := e.kind.index()
			touched[i] = true
			p.ZAddArgs(ctx, r.keys[i], redis.ZAddArgs{GT: true, Members: []redis.Z{{Score: float64(e.moment), Member: e.id}}})
			p.Publish(ctx, r.channel, encode(e))
		}
		for i, t := range touched {
			if t {
				p.ZRemRangeByScore(ctx, r.keys[i], "-inf", cutoff)
				p.ZRemRangeByRank(ctx, r.keys[i], 0, -int64(r.opt.maxEntries)-1)
			}
		}
		return nil
	})
	return err
}

// resync trims Redis, merges its live entries into the replica, writes back
// the live entries Redis lacks, and prunes the replica.
func (r *Revocations) resync(ctx context.Context) (int, error) {
	cutoff := r.cutoff()
	cut := strconv.FormatInt(cutoff, 10)
	var ranges [kinds]*redis.ZSliceCmd
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range r.keys {
			p.ZRemRangeByScore(ctx, key, "-inf", cut)
			p.ZRemRangeByRank(ctx, key, 0, -int64(r.opt.maxEntries)-1)
			ranges[i] = p.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: key, Start: "(" + cut, Stop: "+inf", ByScore: true})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	remote := make(map[pendingKey]int64)
	for i, cmd := range ranges {
		for _, z := range cmd.Val() {
			id, ok := z.Member.(string)
			if !ok {
				continue
			}
			e := entry{kind: allKinds[i], id: id, moment: int64(z.Score)}
			remote[pendingKey{e.kind, e.id}] = e.moment
			r.replica.add(e)
		}
	}
	// Bound the replica before looking for what Redis lacks: Redis keeps
	// the same newest entries, so nothing trimmed is written back.
	if dropped := r.replica.bound(r.opt.maxEntries); dropped > 0 {
		r.opt.logger.Warn("redisstore: oldest revocations dropped to stay within the entry bound", "dropped", dropped, "max_per_kind", r.opt.maxEntries)
		if h := r.opt.hooks.Dropped; h != nil {
			h(dropped)
		}
	}
	var missing []entry
	for _, e := range r.replica.snapshot(cutoff) {
		if m, ok := remote[pendingKey{e.kind, e.id}]; !ok || m < e.moment {
			missing = append(missing, e)
		}
	}
	if len(missing) > 0 {
		if err := r.write(ctx, missing); err != nil {
			return 0, err
		}
		r.opt.logger.Info("redisstore: wrote back revocations redis had lost", "entries", len(missing))
	}
	r.replica.prune(cutoff)
	return r.replica.len(), nil
}

// flush retries the queued writes. What expired while queued is dropped.
func (r *Revocations) flush(ctx context.Context) error {
	cutoff := r.cutoff()
	r.mu.Lock()
	entries := make([]entry, 0, len(r.pending))
	for pk, m := range r.pending {
		if m <= cutoff {
			delete(r.pending, pk)
			continue
		}
		entries = append(entries, entry{kind: pk.kind, id: pk.id, moment: m})
	}
	r.mu.Unlock()
	if len(entries) == 0 {
		return nil
	}
	if err := r.write(ctx, entries); err != nil {
		return err
	}
	r.mu.Lock()
	for _, e := range entries {
		pk := pendingKey{e.kind, e.id}
		// A newer revocation of the same id may have been queued meanwhile.
		if r.pending[pk] == e.moment {
			delete(r.pending, pk)
		}
	}
	r.mu.Unlock()
	r.opt.logger.Info("redisstore: queued revocations written", "entries", len(entries))
	return nil
}

// receive applies the channel's messages. A (re)subscription triggers a
// resynchronisation, because messages published while the connection was
// down are lost.
func (r *Revocations) receive(ctx context.Context) {
	defer r.wg.Done()
	backoff := 50 * time.Millisecond
	for {
		msg, err := r.pubsub.ReceiveTimeout(ctx, r.opt.healthInterval)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: make sure the connection is still alive, as
				// a half-open one would never deliver again. A failed ping
				// shows up as an error on the next receive.
				_ = r.pubsub.Ping(ctx)
				continue
			}
			r.setUnreachable(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 500*time.Millisecond)
			continue
		}
		backoff = 50 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.opt.logger.Info("redisstore: subscribed", "channel", r.channel)
				if h := r.opt.hooks.Connected; h != nil {
					h()
				}
				select {
				case r.resyncNow <- struct{}{}:
				default:
				}
			}
		case *redis.Message:
			if e, ok := decode(m.Payload); ok && e.moment > r.cutoff() {
				r.replica.add(e)
			}
		}
	}
}

// maintain resynchronises on (re)connection and every resync interval, and
// retries queued writes.
func (r *Revocations) maintain(ctx context.Context) {
	defer r.wg.Done()
	resync := time.NewTicker(r.opt.resync)
	defer resync.Stop()
	retry := time.NewTicker(r.opt.retry)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-retry.C:
			if err := r.flush(ctx); err != nil && ctx.Err() == nil {
				if h := r.opt.hooks.Lagging; h != nil {
					h(r.Pending(), err)
				}
			}
			continue
		case <-r.resyncNow:
		case <-resync.C:
		}
		err := r.flush(ctx)
		var n int
		if err == nil {
			n, err = r.resync(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.setUnreachable(err)
			continue
		}
		r.setReachable()
		r.opt.logger.Debug("redisstore: resynchronised", "entries", n)
		if h := r.opt.hooks.Resynced; h != nil {
			h(n)
		}
	}
}

// setUnreachable reports the first failure after a success, so a long
// outage logs once rather than at every retry.
func (r *Revocations) setUnreachable(err error) {
	r.mu.Lock()
	first := !r.unreachable
	r.unreachable = true
	r.mu.Unlock()
	if !first {
		return
	}
	r.opt.logger.Warn("redisstore: redis unreachable; serving the local replica", "err", err)
	if h := r.opt.hooks.Unreachable; h != nil {
		h(err)
	}
}

func (r *Revocations) setReachable() {
	r.mu.Lock()
	was := r.unreachable
	r.unreachable = false
	r.mu.Unlock()
	if was {
		r.opt.logger.Info("redisstore: redis reachable again; replica resynchronised")
	}
}

// encode writes an entry as "<kind><moment> <id>"; the id goes last so it
// may contain any byte.
func encode(e entry) string {
	var b strings.Builder
	b.Grow(len(e.id) + 16)
	b.WriteByte(byte(e.kind))
	b.WriteString(strconv.FormatInt(e.moment, 10))
	b.WriteByte(' ')
	b.WriteString(e.id)
	return b.String()
}

func decode(s string) (entry, bool) {
	if len(s) < 4 {
		return entry{}, false
	}
	k := kind(s[0])
	if k != kindJTI && k != kindFamily && k != kindSubject {
		return entry{}, false
	}
	sp := strings.IndexByte(s, ' ')
	if sp < 2 || sp == len(s)-1 {
		return entry{}, false
	}
	m, err := strconv.ParseInt(s[1:sp], 10, 64)
	if err != nil {
		return entry{}, false
	}
	return entry{kind: k, id: s[sp+1:], moment: m}, true
}
