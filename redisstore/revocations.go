package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitojwt/cognitojwt/internal/safe"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/rules"
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
	// ErrStalled: Redis did not answer within the store's timeout
	// (WithTimeout). Hooks.Unreachable receives it, and ErrQueued wraps it
	// (or the caller's context error) for a write that did not finish in
	// time.
	ErrStalled = errors.New("redisstore: redis did not answer in time")
)

// Option configures NewRevocations.
type Option func(*options)

type options struct {
	ttl            time.Duration
	resync         time.Duration
	retry          time.Duration
	timeout        time.Duration
	leaseTTL       time.Duration
	logSize        int
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

// WithResyncInterval sets how often the replica asks Redis what changed
// besides every (re)connection; a missed pub/sub message is honoured
// within this interval, and a stalled Redis is reported within it plus the
// timeout. Each instance keeps the version of the list it has read, and
// Redis a log of the latest changes: a resynchronisation that finds
// nothing new is one small transaction whatever the size of the list, and
// one that finds changes reads only them. The whole list is read only
// when needed: at start, when Redis lost it or went back to an older
// state (a failover), or when more changed than the log holds. Default 1
// second.
func WithResyncInterval(d time.Duration) Option { return func(o *options) { o.resync = d } }

// DefaultTimeout bounds a revocation's write, and a resynchronisation
// before the store reports Redis as stalled, when the caller's context
// has no deadline.
const DefaultTimeout = time.Second

// WithTimeout sets how long a revoke method waits for Redis when its
// context has no deadline (a context with a deadline bounds it instead),
// and how long a resynchronisation may go unanswered before the store
// reports Redis as stalled (Hooks.Unreachable with ErrStalled). The bound
// holds whatever the client's own timeouts and retries: a write still
// under way then is left to finish in the background, and the revocation
// is queued as for an unreachable Redis. Default DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithRetryInterval sets how often queued writes are retried while Redis is
// unreachable. Default 1 second.
func WithRetryInterval(d time.Duration) Option { return func(o *options) { o.retry = d } }

// WithPrefix sets the prefix of the keys and the channel, so several lists
// can share one Redis. Default "cognitojwt:revocations". The keys and the
// channel wrap the prefix in a hash tag ({prefix}:j, {prefix}:events, …)
// so that one write, which touches several keys in one script, stays in
// one Redis Cluster slot, and so that each instance's subscription is on
// the node that holds the list: when that node restarts, every instance
// notices at once.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// DefaultMaxEntries bounds each kind of entry (jti, family, subject) in
// Redis and in every replica: at 130 to 150 bytes an entry, its
// 36-character identifier included (BenchmarkReplicaReason's B/entry), a
// full replica takes some 120 to 140 MB.
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
// trimmed of expired entries on every write), are logged under a new
// version of the list and published on a channel, in one script. Each
// instance keeps a local replica that Revoked reads without any network
// round trip. The replica is updated from the channel, and reads what
// changed since its version on every (re)connection and every resync
// interval, so a missed message, a restarted instance or a failover
// converges within one interval.
//
// When Redis loses the list (a restart without persistence, a failover to
// a replica that missed the last writes), the entries Redis lacks are
// written back from the replicas, so what any instance knows is not lost.
// After an empty restart one instance, holding a lease, restores the list
// and the others read it back: the list is written once, not once per
// instance.
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
	keys    [nKeys]string
	channel string
	replica *replica
	pubsub  *redis.PubSub

	mu          sync.Mutex
	pending     map[pendingKey]int64
	unreachable bool

	// pos is where the replica stands in Redis's history; only the
	// goroutine that resynchronises reads and moves it.
	pos position

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

var _ cognitojwt.KeyedRevocationList = (*Revocations)(nil)

// NewRevocations subscribes to the list's channel, loads the list from
// Redis and starts replicating. It returns an error when Redis cannot be
// reached within ctx (or another instance is still restoring the list
// into a Redis that lost it when ctx ends), so an instance does not start
// admitting tokens with a replica it knows to be incomplete. Close stops
// it.
func NewRevocations(ctx context.Context, rdb redis.UniversalClient, opts ...Option) (*Revocations, error) {
	if rdb == nil {
		return nil, errors.New("redisstore: nil redis client")
	}
	o := options{
		ttl:            24 * time.Hour,
		resync:         time.Second,
		retry:          time.Second,
		timeout:        DefaultTimeout,
		leaseTTL:       10 * time.Second,
		logSize:        10_000,
		prefix:         "cognitojwt:revocations",
		logger:         slog.Default(),
		now:            time.Now,
		healthInterval: 5 * time.Second,
		maxEntries:     DefaultMaxEntries,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ttl <= 0 || o.resync <= 0 || o.retry <= 0 || o.timeout <= 0 || o.maxEntries <= 0 {
		return nil, errors.New("redisstore: TTL, resync and retry intervals, timeout and the entry bound must be positive")
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	o.hooks = o.hooks.guarded(o.logger)
	if o.now == nil {
		o.now = time.Now
	}
	r := &Revocations{
		rdb:       rdb,
		opt:       o,
		channel:   "{" + o.prefix + "}:events",
		replica:   newReplica(),
		pending:   map[pendingKey]int64{},
		resyncNow: make(chan struct{}, 1),
	}
	for i, name := range [nKeys]string{"j", "f", "s", "sn", "log", "v", "epoch", "restore"} {
		r.keys[i] = "{" + o.prefix + "}:" + name
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
		err = r.load(ctx)
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
	// The loops are not guarded as a whole (one cannot be restarted
	// safely from inside): the caller's code they run is, Hooks in
	// hooks.go and resynchronisations in sync.go.
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
// The cut-off keeps full precision, in Redis and on every instance, but
// tokens carry their issue time (iat) in whole seconds, so the rule is at
// the second: a token is refused when iat < before truncated to the
// second. A token issued in before's own second is admitted, so that the
// refresh a client makes right after RevokeSubject(ctx, sub, time.Now())
// passes; the price is that a token issued in that second just before
// before passes too. To close that second for refresh tokens as well,
// sign the user out at Cognito (GlobalSignOut) before recording the
// cut-off. A cut-off after 2262, past what Unix nanoseconds hold, is kept
// as their last and refuses every token of the subject.
func (r *Revocations) RevokeSubject(ctx context.Context, sub string, before time.Time) error {
	return r.revoke(ctx, kindSubject, sub, before)
}

// Revoked reports whether c matches a revocation the local replica holds:
// RevocationReason for callers that need only a yes or no. It makes no
// network call.
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

// RevocationKey returns c's key (cognitojwt.KeyedRevocationList): its
// ids' hashes under the local replica's seeds, which never change, so a
// key stays good for the life of r. A Verifier makes it when it caches a
// token, so that the token's cache hits hash nothing.
func (r *Revocations) RevocationKey(c *cognitojwt.Claims) cognitojwt.RevocationKey {
	if r == nil || r.replica == nil || c == nil {
		return cognitojwt.RevocationKey{}
	}
	return r.replica.key(c)
}

// RevocationReasonKeyed is RevocationReason for claims whose key k is
// (cognitojwt.KeyedRevocationList): the replica reads the hashes k holds
// instead of computing them, and answers as RevocationReason would,
// entries that arrived since the key was made included. A key r did not
// make (another list's, the zero key, nil) is not trusted: c's ids are
// hashed then. It makes no network call.
func (r *Revocations) RevocationReasonKeyed(c *cognitojwt.Claims, k *cognitojwt.RevocationKey) cognitojwt.RevocationReason {
	if r == nil || r.replica == nil || c == nil {
		return cognitojwt.NotRevoked
	}
	return r.replica.reasonKeyed(c, k)
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
	// A cut-off past 2262 is kept as the last moment Unix nanoseconds
	// hold, which still refuses every token of the subject, rather than
	// wrapped into the past, where it would be dropped as expired.
	e := entry{kind: k, id: id, moment: rules.UnixNanos(moment)}
	if k != kindSubject {
		// Only the expiry of a jti or family entry depends on its moment,
		// and Redis keeps it to the millisecond.
		e.moment = moment.UnixMilli() * 1e6
	}
	if e.moment <= r.cutoff() {
		// Every token it could match has expired already.
		return nil
	}
	r.replica.add(e)
	if err := r.bounded(ctx, func(ctx context.Context) error { return r.write(ctx, []entry{e}, true) }); err != nil {
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

// bounded runs fn and returns by ctx's deadline, or after the store's
// timeout when ctx has none, whatever the client's own timeouts and
// retries (by default go-redis lets a stalled server hold a call for its
// read timeout, per retry, regardless of the context). fn goes on in the
// background when the bound passes; its result is then dropped, and the
// caller queues what it was writing.
func (r *Revocations) bounded(ctx context.Context, fn func(context.Context) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opt.timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	// A panic of the client (a caller's redis.Hook) fails the call, which
	// the caller then queues, rather than the process.
	go func() { done <- safe.Call(func() error { return fn(ctx) }) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: %w", ErrStalled, ctx.Err())
		}
		return ctx.Err()
	}
}

// clock reads the configured clock; a Revocations not made by
// NewRevocations has none, and revoke refuses it.
func (r *Revocations) clock() time.Time {
	if r == nil || r.opt.now == nil {
		return time.Time{}
	}
	return r.opt.now()
}

// cutoff is the moment (Unix ns) at or before which an entry has expired.
func (r *Revocations) cutoff() int64 {
	return r.opt.now().Add(-r.opt.ttl).UnixNano()
}
