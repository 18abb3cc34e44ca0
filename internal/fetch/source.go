package fetch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/safe"
)

// Reason is why a key source wants a document. Only fetches an unknown
// kid causes count against the burst: that is the request an attacker
// can repeat at will. A first fetch, a background refresh and a warm-up
// are held back by the cooldown like any other but open none, unless
// they fail.
type Reason int

const (
	// First is the fetch of a source that has no key yet.
	First Reason = iota
	// UnknownKid is a fetch for a kid the keys in hand do not have.
	UnknownKid
	// Refresh is a background refresh of keys in hand.
	Refresh
	// Warm is a fetch asked for ahead of the first request.
	Warm
)

// Outcome is one finished fetch, for the hooks and the waiters.
type Outcome[V any] struct {
	// Val is what Install made of the document.
	Val      V
	Status   int // HTTP status, 0 when no answer arrived
	Keys     int // usable keys installed; 0 on failure
	Duration time.Duration
	Err      error
	// until is the end of the hold a failure opened.
	until time.Time
}

// Source is the one shape of the verifiers' key sources (a user pool's
// JWKS, a load balancer's public keys): the owner keeps its keys where
// lookups read them without a lock, and asks the Source for a document
// only when a kid is missing or the keys are due for a refresh. The
// Source shares one fetch per document between every caller (a Group),
// runs it detached from any caller's context, lets at most Burst fetches
// that unknown kids cause start within one Cooldown, holds a document
// whose fetch failed for a Cooldown, and tells the hooks and the log
// about every fetch once its keys are installed, so that what a hook
// observes is what the next request sees.
//
// Set the exported fields, then call Init before any other method.
type Source[V any] struct {
	// Name names the document in log messages ("JWKS"); Doc in errors
	// ("the JWKS").
	Name, Doc string
	// URL is logged and reported with every fetch; for a URL per kid,
	// its template, never a kid.
	URL string
	// Timeout bounds each fetch.
	Timeout time.Duration
	// Cooldown is the window within which at most Burst fetches caused
	// by unknown kids may start, and how long a failed document is held.
	Cooldown time.Duration
	// Burst is at least 1.
	Burst int
	// MaxHeld bounds the failed documents held (see Group.MaxHeld).
	MaxHeld int
	// NotFound marks a failure that is the endpoint's answer that it
	// has no such document: the document is held like any failed one,
	// but the endpoint is not failing.
	NotFound error
	Now      func() time.Time
	Logger   *slog.Logger
	// Get fetches the document for key within ctx.
	Get func(ctx context.Context, key string) (doc []byte, status int, err error)
	// Install makes the fetched document's keys current and returns
	// them, and how many are usable. It runs with the Source's lock held, one at a
	// time, so that it may replace what lookups read.
	Install func(key string, doc []byte) (V, int, error)
	// OnFetch and OnCooldown report every finished fetch, and every
	// fetch a first fetch or an unknown kid asked for that the cooldown
	// held back. Either may be nil.
	OnFetch    func(Outcome[V])
	OnCooldown func()

	group Group[string, Outcome[V]]

	// running counts fetches under way and quietUntil is the end of the
	// latest hold in Unix nanoseconds, so that Due decides without a lock.
	running    atomic.Int32
	quietUntil atomic.Int64

	mu      sync.Mutex
	recent  []time.Time // start times of the latest counted fetches, a ring
	next    int         // oldest entry of recent
	lastErr error       // of the last fetch; nil after a success or a NotFound
}

// Init readies s once its fields are set.
func (s *Source[V]) Init() {
	s.recent = make([]time.Time, max(s.Burst, 1))
	s.group = Group[string, Outcome[V]]{Cooldown: s.Cooldown, MaxHeld: s.MaxHeld, Now: s.Now}
}

// Refused says why no fresh document was had: Held, the cooldown held
// the fetch back; otherwise it ran and failed. Err is the failure, this
// fetch's or, when held, the one that opened the hold; nil when the
// burst of fetches that succeeded holds it back. After is how long until
// another fetch may start, at least a second.
type Refused struct {
	Err   error
	After time.Duration
	Held  bool
	// Limited: held by the burst limit, not by the document's own
	// failure.
	Limited bool
}

func (r *Refused) Error() string {
	if r.Err == nil {
		return "fetch held back by the cooldown"
	}
	return r.Err.Error()
}

// Unwrap returns the failure.
func (r *Refused) Unwrap() error { return r.Err }

// errHave refuses a fetch because have found what it was for.
var errHave = errors.New("stored meanwhile")

// Due reports, without a lock, whether a background refresh of a
// single-document source could start now: no fetch is under way and no
// hold is open.
func (s *Source[V]) Due(now time.Time) bool {
	return s.running.Load() == 0 && now.UnixNano() >= s.quietUntil.Load()
}

// Start joins the fetch of key's document under way or starts one, unless
// the cooldown holds it back (a *Refused) or have, asked with the lock
// held before a fetch starts, finds that a fetch which finished since the
// caller looked stored what it wanted (nil, nil). have may be nil.
func (s *Source[V]) Start(key string, reason Reason, have func() bool) (*Call[Outcome[V]], error) {
	var limited *Refused
	call, err := s.group.Do(key, func() error {
		if have != nil && have() {
			return errHave
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		now := s.now()
		if oldest := s.recent[s.next]; !oldest.IsZero() && now.Sub(oldest) < s.Cooldown {
			limited = &Refused{Err: s.lastErr, After: s.Cooldown - now.Sub(oldest), Held: true, Limited: true}
			return limited
		}
		if reason == UnknownKid {
			s.recent[s.next] = now
			s.next = (s.next + 1) % len(s.recent)
			if oldest := s.recent[s.next]; !oldest.IsZero() {
				s.quietUntil.Store(max(s.quietUntil.Load(), oldest.Add(s.Cooldown).UnixNano()))
			}
		}
		s.running.Add(1)
		return nil
	}, func() (Outcome[V], error) { return s.run(key) }, s.report)
	var held *Held
	switch {
	case err == nil:
		return call, nil
	case err == errHave:
		return nil, nil
	case limited != nil:
	case errors.As(err, &held):
		limited = &Refused{Err: held.Err, After: held.Until.Sub(s.now()), Held: true}
	default:
		return nil, err
	}
	limited.After = max(limited.After, time.Second)
	if reason == First || reason == UnknownKid {
		if s.OnCooldown != nil {
			s.OnCooldown()
		}
		if s.Logger != nil {
			s.Logger.Debug("cognitojwt: "+s.Name+" refetch suppressed by cooldown", "url", s.URL)
		}
	}
	return nil, limited
}

// Fetch has key's document fetched, joining a fetch under way, and waits
// for it. It returns what Install made of it once a fetch succeeded, or
// nothing and no error when have found what the caller wanted; a *Refused when the fetch failed or the cooldown held
// it back; ErrCanceled when ctx ended. A caller whose context has ended
// starts no fetch and opens no cooldown; one whose context ends while it
// waits leaves the fetch to the others, after a last look with have.
func (s *Source[V]) Fetch(ctx context.Context, key string, reason Reason, have func() bool) (v V, err error) {
	if err := ctx.Err(); err != nil {
		return v, errs.ContextEnded("before "+s.Doc+" was fetched", err)
	}
	call, err := s.Start(key, reason, have)
	if call == nil {
		return v, err
	}
	select {
	case <-call.Done():
	case <-ctx.Done():
		if have != nil && have() {
			return v, nil
		}
		return v, errs.ContextEnded("while waiting for "+s.Doc, ctx.Err())
	}
	if call.Err != nil {
		return v, &Refused{Err: call.Err, After: max(call.Val.until.Sub(s.now()), time.Second)}
	}
	return call.Val.Val, nil
}

// InFlight reports whether key's document is being fetched.
func (s *Source[V]) InFlight(key string) bool { return s.group.InFlight(key) != nil }

// LastErr is the last fetch's failure; nil after a success or a
// NotFound.
func (s *Source[V]) LastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// Lock takes the lock that starting or finishing a fetch takes, and
// returns its release: tests show that lookups never wait for it.
func (s *Source[V]) Lock() (unlock func()) {
	s.mu.Lock()
	return s.mu.Unlock
}

// run performs one fetch, detached from any caller's context, and
// installs what it got before the fetch is reported.
func (s *Source[V]) run(key string) (Outcome[V], error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout)
	defer cancel()
	start := time.Now()
	// A panic in Get (an HTTP transport's) or Install is a failed fetch
	// like any other: held for the cooldown, counted, reported; left to
	// the group, it would skip the bookkeeping below.
	var (
		doc    []byte
		status int
	)
	err := safe.Call(func() (err error) {
		doc, status, err = s.Get(ctx, key)
		return err
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	o := Outcome[V]{Status: status}
	if err == nil {
		err = safe.Call(func() (err error) {
			o.Val, o.Keys, err = s.Install(key, doc)
			return err
		})
	}
	o.Duration, o.Err = time.Since(start), err
	if err != nil {
		o.until = s.now().Add(s.Cooldown)
		s.quietUntil.Store(max(s.quietUntil.Load(), o.until.UnixNano()))
	}
	if s.NotFound != nil && errors.Is(err, s.NotFound) {
		s.lastErr = nil
	} else {
		s.lastErr = err
	}
	s.running.Add(-1)
	return o, err
}

func (s *Source[V]) report(o Outcome[V], _ error) {
	if s.OnFetch != nil {
		s.OnFetch(o)
	}
	Log(s.Logger, s.Name, s.URL, o.Status, o.Duration, o.Err, "keys", o.Keys)
}

func (s *Source[V]) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
