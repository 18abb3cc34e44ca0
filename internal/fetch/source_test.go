package fetch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/internal/errs"
)

// sourceFixture is a Source over an in-memory endpoint and a manual
// clock: docs maps a key to its document, and a key with no document
// fails with fail, or with NotFound when fail is nil.
type sourceFixture struct {
	src       Source[string]
	mu        sync.Mutex
	now       time.Time
	docs      map[string]string
	fail      error
	gets      atomic.Int32
	cooldowns atomic.Int32
	fetched   []Outcome[string]
	installed map[string]string
	release   chan struct{} // when set, every Get waits for it
}

var errGone = errors.New("no such document")

func newSourceFixture(burst int) *sourceFixture {
	f := &sourceFixture{now: time.Unix(1_750_000_000, 0), docs: map[string]string{}, installed: map[string]string{}}
	f.src = Source[string]{
		Name: "test document", Doc: "the test document", URL: "https://keys.example/{kid}",
		Timeout: time.Minute, Cooldown: 10 * time.Second, Burst: burst, MaxHeld: 8,
		NotFound: errGone,
		Now:      f.clock,
		Get: func(ctx context.Context, key string) ([]byte, int, error) {
			f.gets.Add(1)
			f.mu.Lock()
			release := f.release
			f.mu.Unlock()
			if release != nil {
				<-release
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if d, ok := f.docs[key]; ok {
				return []byte(d), 200, nil
			}
			if f.fail != nil {
				return nil, 502, f.fail
			}
			return nil, 404, errGone
		},
		Install: func(key string, doc []byte) (string, int, error) {
			if len(doc) == 0 {
				return "", 0, errors.New("empty document")
			}
			f.mu.Lock()
			f.installed[key] = string(doc)
			f.mu.Unlock()
			return string(doc), 1, nil
		},
		OnFetch:    func(o Outcome[string]) { f.mu.Lock(); f.fetched = append(f.fetched, o); f.mu.Unlock() },
		OnCooldown: func() { f.cooldowns.Add(1) },
	}
	f.src.Init()
	return f
}

func (f *sourceFixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *sourceFixture) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func (f *sourceFixture) set(key, doc string) { f.mu.Lock(); f.docs[key] = doc; f.mu.Unlock() }

// has is a have for key: whether its document was installed.
func (f *sourceFixture) has(key string) func() bool {
	return func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.installed[key] != "" }
}

func refusal(t *testing.T, err error) *Refused {
	t.Helper()
	var r *Refused
	if !errors.As(err, &r) {
		t.Fatalf("error %v is not a refusal", err)
	}
	return r
}

func TestSourceFetchesInstallsAndReports(t *testing.T) {
	f := newSourceFixture(1)
	f.set("a", "key a")
	v, err := f.src.Fetch(context.Background(), "a", First, nil)
	if err != nil || v != "key a" {
		t.Fatalf("Fetch = %q, %v", v, err)
	}
	if len(f.fetched) != 1 || f.fetched[0].Status != 200 || f.fetched[0].Keys != 1 || f.fetched[0].Err != nil {
		t.Fatalf("reported %+v", f.fetched)
	}
	if f.src.LastErr() != nil || !f.src.Due(f.clock()) {
		t.Fatal("a first fetch that succeeded must leave no error and no hold")
	}
}

func TestSourceSharesOneFetchBetweenCallers(t *testing.T) {
	f := newSourceFixture(1)
	f.set("a", "key a")
	f.release = make(chan struct{})
	results := make(chan string, 8)
	call, err := f.src.Start("a", UnknownKid, nil)
	if err != nil || call == nil {
		t.Fatalf("Start = %v, %v", call, err)
	}
	if f.src.Due(f.clock()) || !f.src.InFlight("a") {
		t.Fatal("a fetch under way must be reported and keep refreshes off")
	}
	for range 8 {
		go func() {
			// A waiter that comes after the fetch finds the key stored.
			v, err := f.src.Fetch(context.Background(), "a", UnknownKid, f.has("a"))
			switch {
			case err != nil:
				v = err.Error()
			case v == "" && f.has("a")():
				v = "key a"
			}
			results <- v
		}()
	}
	close(f.release)
	for range 8 {
		if v := <-results; v != "key a" {
			t.Fatalf("a waiter got %q", v)
		}
	}
	<-call.Done()
	if n := f.gets.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1 shared", n)
	}
}

// TestSourceBurstCountsOnlyUnknownKids: unknown kids may start Burst
// fetches per cooldown; the next one is refused with the time left, and
// reported to OnCooldown. First fetches, refreshes and warm-ups are held
// back by a full burst but count in none.
func TestSourceBurstCountsOnlyUnknownKids(t *testing.T) {
	f := newSourceFixture(2)
	for _, reason := range []Reason{First, Refresh, Warm} {
		if _, err := f.src.Fetch(context.Background(), "x", reason, nil); refusal(t, err).Held {
			t.Fatalf("reason %d was held back: %v", reason, err)
		}
		f.advance(10 * time.Second) // past the hold of the failure
	}
	f.set("a", "key a")
	f.set("b", "key b")
	if _, err := f.src.Fetch(context.Background(), "a", UnknownKid, nil); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Second)
	if _, err := f.src.Fetch(context.Background(), "b", UnknownKid, nil); err != nil {
		t.Fatal(err)
	}
	if f.src.Due(f.clock()) {
		t.Fatal("a full burst must keep refreshes off")
	}
	gets := f.gets.Load()
	for _, reason := range []Reason{UnknownKid, Refresh} {
		_, err := f.src.Fetch(context.Background(), "c", reason, nil)
		r := refusal(t, err)
		if !r.Held || !r.Limited || r.Err != nil || r.After != 6*time.Second {
			t.Fatalf("beyond the burst: %+v", r)
		}
	}
	if f.gets.Load() != gets || f.cooldowns.Load() != 1 {
		t.Fatalf("beyond the burst: %d fetches, %d cooldowns reported", f.gets.Load()-gets, f.cooldowns.Load())
	}
	f.advance(6 * time.Second)
	if _, err := f.src.Fetch(context.Background(), "c", UnknownKid, nil); refusal(t, err).Held {
		t.Fatalf("once the oldest fetch is a cooldown old: %v", err)
	}
}

// TestSourceHoldsAFailedDocument: a failed fetch is refused with its
// error and the cooldown as the hint; asking again within the cooldown
// fetches nothing and is refused as held, with the time left. A NotFound
// holds the document too, but is no failure of the endpoint.
func TestSourceHoldsAFailedDocument(t *testing.T) {
	f := newSourceFixture(4)
	f.fail = errors.New("endpoint down")
	_, err := f.src.Fetch(context.Background(), "a", UnknownKid, nil)
	r := refusal(t, err)
	if r.Held || !errors.Is(err, f.fail) || r.After != 10*time.Second {
		t.Fatalf("failed fetch: %+v", r)
	}
	if !errors.Is(f.src.LastErr(), f.fail) || f.src.Due(f.clock()) {
		t.Fatal("a failure must be kept and keep refreshes off")
	}
	f.advance(3 * time.Second)
	f.set("a", "key a")
	_, err = f.src.Fetch(context.Background(), "a", First, nil)
	r = refusal(t, err)
	if !r.Held || r.Limited || !errors.Is(err, f.fail) || r.After != 7*time.Second || f.gets.Load() != 1 {
		t.Fatalf("held document: %+v after %d fetches", r, f.gets.Load())
	}
	if f.cooldowns.Load() != 1 {
		t.Fatalf("%d cooldowns reported, want 1", f.cooldowns.Load())
	}
	f.advance(7 * time.Second)
	if v, err := f.src.Fetch(context.Background(), "a", UnknownKid, nil); err != nil || v != "key a" {
		t.Fatalf("after the hold: %q, %v", v, err)
	}

	f.fail = nil
	_, err = f.src.Fetch(context.Background(), "gone", UnknownKid, nil)
	if !errors.Is(err, errGone) || f.src.LastErr() != nil {
		t.Fatalf("not found: %v, last error %v", err, f.src.LastErr())
	}
	if _, err = f.src.Fetch(context.Background(), "gone", UnknownKid, nil); !refusal(t, err).Held || f.gets.Load() != 3 {
		t.Fatalf("a kid not found must be held: %v", err)
	}
}

func TestSourceRefusesAFailedInstall(t *testing.T) {
	f := newSourceFixture(1)
	f.set("a", "")
	_, err := f.src.Fetch(context.Background(), "a", First, nil)
	if r := refusal(t, err); r.Held || !strings.Contains(err.Error(), "empty document") {
		t.Fatalf("failed install: %+v", r)
	}
	if f.fetched[0].Keys != 0 || f.fetched[0].Err == nil {
		t.Fatalf("reported %+v", f.fetched[0])
	}
}

// TestSourceStartsNothingWhenHaveFinds: have, asked before a fetch
// starts, stops it when a fetch that finished meanwhile stored the key.
func TestSourceStartsNothingWhenHaveFinds(t *testing.T) {
	f := newSourceFixture(1)
	v, err := f.src.Fetch(context.Background(), "a", UnknownKid, func() bool { return true })
	if v != "" || err != nil || f.gets.Load() != 0 {
		t.Fatalf("Fetch = %q, %v after %d fetches", v, err, f.gets.Load())
	}
}

// TestSourceCanceledCaller: a caller whose context has ended starts no
// fetch and opens no cooldown; one whose context ends while it waits
// takes what have finds, or gets ErrCanceled, and the fetch goes on for
// the others.
func TestSourceCanceledCaller(t *testing.T) {
	f := newSourceFixture(1)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.src.Fetch(ended, "a", UnknownKid, nil)
	if !errors.Is(err, errs.Canceled) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "before the test document was fetched") {
		t.Fatalf("ended context: %v", err)
	}
	if f.gets.Load() != 0 || !f.src.Due(f.clock()) {
		t.Fatal("an ended context must start no fetch and open no cooldown")
	}

	f.set("a", "key a")
	f.release = make(chan struct{})
	call, _ := f.src.Start("a", Refresh, nil)
	waiting := &endsWhileWaiting{Context: context.Background()}
	if _, err := f.src.Fetch(waiting, "a", UnknownKid, func() bool { return false }); !errors.Is(err, errs.Canceled) ||
		!strings.Contains(err.Error(), "while waiting for the test document") {
		t.Fatalf("canceled while waiting: %v", err)
	}
	waiting = &endsWhileWaiting{Context: context.Background()}
	if v, err := f.src.Fetch(waiting, "a", UnknownKid, func() bool { return true }); v != "" || err != nil {
		t.Fatalf("canceled while waiting, the key stored meanwhile: %q, %v", v, err)
	}
	close(f.release)
	<-call.Done()
	if call.Err != nil || call.Val.Val != "key a" {
		t.Fatalf("the fetch the canceled callers left: %+v", call.Val)
	}
}

// endsWhileWaiting is a context that is still live when first asked and
// has ended by the time anyone waits on it.
type endsWhileWaiting struct {
	context.Context
	asked atomic.Bool
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (c *endsWhileWaiting) Done() <-chan struct{} { return closed }

func (c *endsWhileWaiting) Err() error {
	if c.asked.Swap(true) {
		return context.Canceled
	}
	return nil
}

// TestSourceFailsAPanickingFetchClosed: a panic in Get (an HTTP
// transport's) or Install is a failed fetch: the callers get a refusal
// wrapping ErrPanicked, the failure is reported, counted and held, and a
// fetch after the hold works.
func TestSourceFailsAPanickingFetchClosed(t *testing.T) {
	for _, where := range []string{"Get", "Install"} {
		t.Run(where, func(t *testing.T) {
			f := newSourceFixture(4)
			get, install := f.src.Get, f.src.Install
			f.set("a", "key a")
			if where == "Get" {
				f.src.Get = func(context.Context, string) ([]byte, int, error) { panic("kid secret-kid") }
			} else {
				f.src.Install = func(string, []byte) (string, int, error) { panic("kid secret-kid") }
			}
			_, err := f.src.Fetch(context.Background(), "a", UnknownKid, nil)
			if r := refusal(t, err); r.Held || !errors.Is(err, ErrPanicked) || strings.Contains(err.Error(), "secret") {
				t.Fatalf("panicking fetch: %v", err)
			}
			if len(f.fetched) != 1 || !errors.Is(f.fetched[0].Err, ErrPanicked) || !errors.Is(f.src.LastErr(), ErrPanicked) {
				t.Fatalf("reported %+v, last error %v", f.fetched, f.src.LastErr())
			}
			if _, err := f.src.Fetch(context.Background(), "a", First, nil); !refusal(t, err).Held {
				t.Fatalf("a panicking fetch must be held: %v", err)
			}
			f.src.Get, f.src.Install = get, install
			f.advance(10 * time.Second)
			if !f.src.Due(f.clock()) {
				t.Fatal("a panicking fetch left the source busy")
			}
			if v, err := f.src.Fetch(context.Background(), "a", UnknownKid, nil); err != nil || v != "key a" {
				t.Fatalf("after the hold: %q, %v", v, err)
			}
		})
	}
}
