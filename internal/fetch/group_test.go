package fetch

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGroupSharesOneCallPerKey(t *testing.T) {
	var g Group[string, int]
	release := make(chan struct{})
	calls := 0
	fn := func() (int, error) {
		calls++
		<-release
		return 7, nil
	}
	first, err := g.Do("k", nil, fn, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := g.Do("k", func() error { t.Error("admit asked for a key in flight"); return nil }, fn, nil)
	if err != nil || second != first {
		t.Fatalf("second asker got %p, %v; want the first call %p", second, err, first)
	}
	if g.InFlight("k") != first || g.InFlight("other") != nil {
		t.Fatal("InFlight does not report the call under way")
	}
	close(release)
	<-first.Done()
	if first.Val != 7 || first.Err != nil || calls != 1 {
		t.Fatalf("Val %d Err %v after %d calls", first.Val, first.Err, calls)
	}
}

func TestGroupHoldsAFailedKeyForTheCooldown(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g := Group[string, int]{Cooldown: 10 * time.Second, Now: clock}
	boom := errors.New("endpoint down")
	c, _ := g.Do("k", nil, func() (int, error) { return 0, boom }, nil)
	<-c.Done()

	_, err := g.Do("k", nil, func() (int, error) { t.Error("a held key was fetched"); return 0, nil }, nil)
	var held *Held
	if !errors.As(err, &held) || !errors.Is(err, boom) || !held.Until.Equal(now.Add(10*time.Second)) {
		t.Fatalf("err = %v; want a hold until the cooldown ends, wrapping the failure", err)
	}
	// Another key is not held.
	c, err = g.Do("other", nil, func() (int, error) { return 1, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()

	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	c, err = g.Do("k", nil, func() (int, error) { return 2, nil }, nil)
	if err != nil {
		t.Fatalf("the hold outlived its cooldown: %v", err)
	}
	<-c.Done()
	if c.Val != 2 {
		t.Fatalf("Val = %d", c.Val)
	}
}

func TestGroupWithoutCooldownHoldsNothing(t *testing.T) {
	var g Group[int, int]
	c, _ := g.Do(1, nil, func() (int, error) { return 0, errors.New("failed") }, nil)
	<-c.Done()
	c, err := g.Do(1, nil, func() (int, error) { return 3, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if c.Val != 3 {
		t.Fatalf("Val = %d", c.Val)
	}
}

func TestGroupAdmitRefuses(t *testing.T) {
	var g Group[string, int]
	limit := errors.New("rate-limited")
	c, err := g.Do("k", func() error { return limit }, func() (int, error) { t.Error("a refused call ran"); return 0, nil }, nil)
	if c != nil || err != limit {
		t.Fatalf("Do = %v, %v; want admit's error as it is", c, err)
	}
	if g.InFlight("k") != nil {
		t.Fatal("a refused call is in flight")
	}
}

// report sees the group's state as the next caller will: the key no
// longer in flight, a failure held; waiters learn the result after it.
func TestGroupReportsBeforePublishing(t *testing.T) {
	g := Group[string, int]{Cooldown: time.Minute}
	var sawInFlight bool
	var sawHeld error
	ready := make(chan *Call[int], 1)
	c, _ := g.Do("k", nil, func() (int, error) { return 0, errors.New("failed") }, func(int, error) {
		sawInFlight = g.InFlight("k") != nil
		_, sawHeld = g.Do("k", nil, func() (int, error) { return 0, nil }, nil)
		select {
		case <-(<-ready).Done():
			t.Error("waiters were told before report ran")
		default:
		}
	})
	ready <- c
	<-c.Done()
	var held *Held
	if sawInFlight || !errors.As(sawHeld, &held) {
		t.Fatalf("report saw in flight %v, held %v", sawInFlight, sawHeld)
	}
}

func TestGroupBoundsItsHolds(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	g := Group[int, int]{Cooldown: time.Minute, MaxHeld: 4, Now: func() time.Time { return now }}
	for k := range 10 {
		c, _ := g.Do(k, nil, func() (int, error) { return 0, errors.New("failed") }, nil)
		<-c.Done()
		g.mu.Lock()
		n := len(g.held)
		g.mu.Unlock()
		if n > 4 {
			t.Fatalf("%d holds after %d failures; MaxHeld is 4", n, k+1)
		}
	}
	// The latest failure is always held.
	if _, err := g.Do(9, nil, func() (int, error) { return 0, nil }, nil); err == nil {
		t.Fatal("the latest failed key is not held")
	}
}

func TestGroupFailsAPanickingCallClosed(t *testing.T) {
	g := Group[string, int]{Cooldown: time.Minute}
	release := make(chan struct{})
	var reported error
	first, err := g.Do("k", nil, func() (int, error) {
		<-release
		panic("token eyJ.secret.sig")
	}, func(_ int, err error) { reported = err })
	if err != nil {
		t.Fatal(err)
	}
	second, _ := g.Do("k", nil, nil, nil)
	close(release)
	<-first.Done()
	if second != first || !errors.Is(first.Err, ErrPanicked) || !errors.Is(reported, ErrPanicked) {
		t.Fatalf("waiters got %v, report got %v; want ErrPanicked for both", first.Err, reported)
	}
	if strings.Contains(first.Err.Error(), "secret") {
		t.Fatalf("error %q echoes the panic value", first.Err)
	}
	if g.InFlight("k") != nil {
		t.Fatal("the key stays in flight after the panic")
	}
	var held *Held
	if _, err := g.Do("k", nil, nil, nil); !errors.As(err, &held) || !errors.Is(err, ErrPanicked) {
		t.Fatalf("err = %v; want the key held after the panic, as a failure", err)
	}
	// A later call for another key works.
	c, err := g.Do("other", nil, func() (int, error) { return 3, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if c.Val != 3 || c.Err != nil {
		t.Fatalf("Val %d Err %v after a panic elsewhere", c.Val, c.Err)
	}
}

func TestGroupFailsAPanickingReportClosed(t *testing.T) {
	var g Group[string, int]
	c, err := g.Do("k", nil, func() (int, error) { return 1, nil }, func(int, error) { panic("hook") })
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if !errors.Is(c.Err, ErrPanicked) {
		t.Fatalf("err = %v; want ErrPanicked when report panics", c.Err)
	}
	c, err = g.Do("k", nil, func() (int, error) { return 2, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if c.Val != 2 || c.Err != nil {
		t.Fatalf("Val %d Err %v after a panicking report", c.Val, c.Err)
	}
}
