package revocation_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/revocation"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newList(t *testing.T) *revocation.List {
	t.Helper()
	l, err := revocation.New(revocation.Config{})
	require.NoError(t, err)
	return l
}

// The subject cut-off is taken at the second: iat < floor(cut-off) is
// refused (a token without iat too: it is before any cut-off), and a token
// of the cut-off's own second passes.
func TestSubjectCutoffRefusesEarlierSecondsOnly(t *testing.T) {
	second := time.Now().Truncate(time.Second)
	for _, within := range []time.Duration{0, time.Nanosecond, 999 * time.Millisecond} {
		l := newList(t)
		l.RevokeSubject("u", second.Add(within))
		require.Equal(t, cognitojwt.RevokedSubject, l.RevocationReason(&cognitojwt.Claims{Subject: "u", IssuedAt: second.Add(-time.Second)}))
		require.Equal(t, cognitojwt.RevokedSubject, l.RevocationReason(&cognitojwt.Claims{Subject: "u"}), "no iat")
		require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{Subject: "u", IssuedAt: second}))
		require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{Subject: "v", IssuedAt: second.Add(-time.Hour)}))
		require.False(t, l.Revoked(&cognitojwt.Claims{Subject: "u", IssuedAt: second.Add(time.Second)}))
	}
}

// A later cut-off moves the second forward; an earlier one never moves it
// back, even within the same second.
func TestSubjectCutoffNeverMovesBack(t *testing.T) {
	second := time.Now().Truncate(time.Second)
	l := newList(t)
	l.RevokeSubject("u", second.Add(time.Second+time.Millisecond))
	l.RevokeSubject("u", second.Add(500*time.Millisecond))
	require.True(t, l.Revoked(&cognitojwt.Claims{Subject: "u", IssuedAt: second}))
	require.False(t, l.Revoked(&cognitojwt.Claims{Subject: "u", IssuedAt: second.Add(time.Second)}))
	require.Equal(t, 1, l.Len())
}

// A cut-off beyond 2106, where the list's 32-bit seconds end (a user
// banned for good, say), refuses every token of the subject, however late
// its iat; one before 1970 refuses the tokens issued before it.
func TestSubjectCutoffOutsideTheStampsRange(t *testing.T) {
	l := newList(t)
	late := time.Unix(1<<34, 0)
	l.RevokeSubject("banned", late)
	for _, iat := range []time.Time{time.Now(), time.Unix(1<<32-1, 0), time.Unix(1<<32, 0), late.Add(-time.Second)} {
		require.Equal(t, cognitojwt.RevokedSubject, l.RevocationReason(&cognitojwt.Claims{Subject: "banned", IssuedAt: iat}), "iat %d", iat.Unix())
	}
	require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{Subject: "another", IssuedAt: time.Unix(1<<32, 0)}))
	early := time.Unix(-1000, 0)
	l, err := revocation.New(revocation.Config{Now: func() time.Time { return early.Add(-time.Hour) }})
	require.NoError(t, err)
	l.RevokeSubject("old", early)
	require.Equal(t, cognitojwt.RevokedSubject, l.RevocationReason(&cognitojwt.Claims{Subject: "old", IssuedAt: early.Add(-time.Second)}))
	require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{Subject: "old", IssuedAt: time.Now()}))
}

// A token that matches several revocations gets the reason of the first
// in the documented order: its jti, then its family, then its subject.
func TestRevocationReasonOrder(t *testing.T) {
	l := newList(t)
	cut := time.Now()
	l.RevokeJTI("j")
	l.RevokeFamily("f")
	l.RevokeSubject("s", cut)
	early := cut.Add(-time.Hour)
	for _, tc := range []struct {
		c    cognitojwt.Claims
		want cognitojwt.RevocationReason
	}{
		{cognitojwt.Claims{JWTID: "j", OriginJTI: "f", Subject: "s", IssuedAt: early}, cognitojwt.RevokedToken},
		{cognitojwt.Claims{JWTID: "other", OriginJTI: "f", Subject: "s", IssuedAt: early}, cognitojwt.RevokedFamily},
		{cognitojwt.Claims{JWTID: "other", OriginJTI: "other", Subject: "s", IssuedAt: early}, cognitojwt.RevokedSubject},
		{cognitojwt.Claims{JWTID: "f", OriginJTI: "j", Subject: "other", IssuedAt: early}, cognitojwt.NotRevoked},
	} {
		require.Equal(t, tc.want, l.RevocationReason(&tc.c), "%+v", tc.c)
	}
}

func TestZeroValueAndNilAreEmptyLists(t *testing.T) {
	var zero revocation.List
	c := &cognitojwt.Claims{Subject: "s", JWTID: "j", OriginJTI: "o"}
	require.False(t, zero.Revoked(c))
	zero.RevokeJTI("j")
	require.True(t, zero.Revoked(c))
	require.Equal(t, 1, zero.Len())

	var none *revocation.List
	require.False(t, none.Revoked(c))
	require.Zero(t, none.Len())
	none.RevokeJTI("j") // no panic, no effect
	require.Zero(t, none.Dropped())
}

func TestEmptyIDsAreIgnored(t *testing.T) {
	list := newList(t)
	list.RevokeJTI("")
	list.RevokeFamily("")
	list.RevokeSubject("", time.Now())
	require.Zero(t, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{}))
}

// A list that holds entries of every kind answers nil claims, claims
// without ids, and iats far from now without a panic: only an id it
// lists refuses a token.
func TestOddClaimsOnAFullList(t *testing.T) {
	l := newList(t)
	l.RevokeJTI("j")
	l.RevokeFamily("f")
	l.RevokeSubject("s", time.Now())
	require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(nil))
	require.False(t, l.Revoked(nil))
	for _, iat := range []time.Time{{}, time.Unix(-1<<40, 0), time.Unix(1<<40, 0)} {
		require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{IssuedAt: iat}))
		require.Equal(t, cognitojwt.NotRevoked, l.RevocationReason(&cognitojwt.Claims{JWTID: "s", OriginJTI: "j", Subject: "f", IssuedAt: iat}))
	}
}

func TestNewRejectsNegativeBounds(t *testing.T) {
	for _, cfg := range []revocation.Config{{MaxAge: -time.Second}, {MaxEntries: -1}} {
		_, err := revocation.New(cfg)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
}

// An entry leaves once MaxAge has passed since the moment it refers to:
// no token it matches can still be valid.
func TestEntriesExpireAfterMaxAge(t *testing.T) {
	clk := &clock{now: time.Unix(1_750_000_000, 0)}
	list, err := revocation.New(revocation.Config{MaxAge: time.Hour, Now: clk.Now})
	require.NoError(t, err)
	list.RevokeJTI("j1")
	list.RevokeFamily("f1")
	list.RevokeSubject("s1", clk.Now())
	require.Equal(t, 3, list.Len())

	clk.Advance(time.Hour - time.Second)
	list.RevokeJTI("j2")
	require.Equal(t, 4, list.Len(), "nothing expires before MaxAge")

	clk.Advance(time.Second)
	list.RevokeJTI("j3")
	require.Equal(t, 2, list.Len(), "the first three leave at MaxAge")
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j1"}))
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: "j2"}))
	require.Zero(t, list.Dropped())

	clk.Advance(2 * time.Hour)
	list.RevokeSubject("s2", clk.Now().Add(-2*time.Hour)) // already past its MaxAge: not kept
	require.Zero(t, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j3"}))
}

// The At variants let a replica apply a revocation made elsewhere: the
// entry expires MaxAge after the original moment, not after its arrival.
func TestRevokeAtExpiresFromTheOriginalMoment(t *testing.T) {
	clk := &clock{now: time.Unix(1_750_000_000, 0)}
	list, err := revocation.New(revocation.Config{Now: clk.Now})
	require.NoError(t, err)
	list.RevokeJTIAt("j", clk.Now().Add(-23*time.Hour))
	list.RevokeFamilyAt("f", clk.Now().Add(-23*time.Hour))
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: "j"}))
	require.True(t, list.Revoked(&cognitojwt.Claims{OriginJTI: "f"}))

	// Applied again later, as a resynchronisation does: no extension.
	list.RevokeJTIAt("j", clk.Now().Add(-23*time.Hour))
	clk.Advance(time.Hour)
	list.RevokeJTI("other")
	require.Equal(t, 1, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j"}))

	list.RevokeJTIAt("late", clk.Now().Add(-25*time.Hour))
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "late"}), "already past its MaxAge")
}

// Under a flood of revocations the list never holds more than MaxEntries:
// the oldest entries are dropped and counted, the newest are honoured.
func TestBoundedUnderFlood(t *testing.T) {
	const max = 1000
	list, err := revocation.New(revocation.Config{MaxEntries: max})
	require.NoError(t, err)
	ids := make([]string, 10*max)
	for i := range ids {
		ids[i] = strings.Repeat("x", 8) + "-" + time.Duration(i).String()
		switch i % 3 {
		case 0:
			list.RevokeJTI(ids[i])
		case 1:
			list.RevokeFamily(ids[i])
		default:
			list.RevokeSubject(ids[i], time.Now())
		}
		require.LessOrEqual(t, list.Len(), max)
	}
	require.Equal(t, max, list.Len())
	require.Equal(t, uint64(len(ids)-max), list.Dropped())
	last := ids[len(ids)-1]
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: last}))
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: ids[0]}))
}

// Readers and writers at once: run under -race.
func TestConcurrentUse(t *testing.T) {
	list := newList(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				id := strings.Repeat(string(rune('a'+w)), 4) + time.Duration(i).String()
				list.RevokeJTI(id)
				if !list.Revoked(&cognitojwt.Claims{JWTID: id}) {
					t.Errorf("%s not revoked right after RevokeJTI", id)
					return
				}
				list.Revoked(&cognitojwt.Claims{JWTID: "never", Subject: id})
			}
		})
	}
	wg.Wait()
	require.Equal(t, 2000, list.Len())
}

// Every revocation is seen by every lookup that follows it, by the writer
// and by readers it hands the token to, while other writers add entries
// (growing the table through its rebuilds) and move
// subjects' cut-offs forward (replacing entries in place): none is lost,
// none is torn, and the reason is the kind revoked. Run under -race.
func TestConcurrentRevocationsAreNeverLost(t *testing.T) {
	list := newList(t)
	base := time.Now().Truncate(time.Second)
	type revoked struct {
		c    *cognitojwt.Claims
		want cognitojwt.RevocationReason
	}
	handed := make(chan revoked, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 3000 {
				id := fmt.Sprintf("w%d-%d", w, i)
				r := revoked{c: &cognitojwt.Claims{IssuedAt: base.Add(-time.Hour)}}
				switch i % 3 {
				case 0:
					list.RevokeJTI(id)
					r.c.JWTID, r.want = id, cognitojwt.RevokedToken
				case 1:
					list.RevokeFamily(id)
					r.c.OriginJTI, r.want = id, cognitojwt.RevokedFamily
				default:
					list.RevokeSubject(id, base)
					r.c.Subject, r.want = id, cognitojwt.RevokedSubject
				}
				if got := list.RevocationReason(r.c); got != r.want {
					errs <- fmt.Sprintf("%s: %v right after its revocation", id, got)
					return
				}
				handed <- r
			}
		})
	}
	// One more writer keeps moving a few subjects' cut-offs forward.
	writers.Go(func() {
		for i := range 3000 {
			list.RevokeSubject(fmt.Sprint("moving-", i%8), base.Add(time.Duration(i)*time.Millisecond))
		}
	})
	for range 2 {
		readers.Go(func() {
			for r := range handed {
				if got := list.RevocationReason(r.c); got != r.want {
					errs <- fmt.Sprintf("%+v: %v, want %v", r.c, got, r.want)
				}
				moving := &cognitojwt.Claims{Subject: fmt.Sprint("moving-", len(r.c.JWTID)%8), IssuedAt: base.Add(-time.Second)}
				if got := list.RevocationReason(moving); got != cognitojwt.NotRevoked && got != cognitojwt.RevokedSubject {
					errs <- fmt.Sprintf("a moving subject reads as %v", got)
				}
			}
		})
	}
	writers.Wait()
	close(handed)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	require.Equal(t, 9008, list.Len())
	for i := range 8 {
		require.Equal(t, cognitojwt.RevokedSubject, list.RevocationReason(&cognitojwt.Claims{Subject: fmt.Sprint("moving-", i), IssuedAt: base.Add(time.Second)}))
	}
}

// A cut-off refuses every token issued before it from the moment
// RevokeSubject returns, for the writer and for readers it hands the
// token to, while other writers raise the cut-offs of subjects that share
// filter words with it (each cut-off later than the last, so that the
// lookups that pass on a word's mark race with the writes that raise it)
// and grow the list through the filter's rebuilds; readers meanwhile let
// through tokens issued after every cut-off. Run under -race.
func TestConcurrentCutoffsRefuseEarlierTokens(t *testing.T) {
	list := newList(t)
	base := time.Now().Truncate(time.Second)
	handed := make(chan *cognitojwt.Claims, 64)
	errs := make(chan string, 16)
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Go(func() {
			for i := range 2000 {
				sub, cut := fmt.Sprintf("w%d-%d", w, i%500), base.Add(time.Duration(i)*time.Second)
				list.RevokeSubject(sub, cut)
				before := &cognitojwt.Claims{Subject: sub, IssuedAt: cut.Add(-time.Second)}
				if got := list.RevocationReason(before); got != cognitojwt.RevokedSubject {
					errs <- fmt.Sprintf("%s: a token before its cut-off %v right after it", sub, got)
					return
				}
				handed <- before
			}
		})
	}
	after := base.Add(time.Hour)
	for range 2 {
		readers.Go(func() {
			for c := range handed {
				if got := list.RevocationReason(c); got != cognitojwt.RevokedSubject {
					errs <- fmt.Sprintf("%s: a token before its cut-off %v", c.Subject, got)
				}
				if got := list.RevocationReason(&cognitojwt.Claims{Subject: c.Subject, IssuedAt: after}); got != cognitojwt.NotRevoked {
					errs <- fmt.Sprintf("%s: a token after every cut-off %v", c.Subject, got)
				}
			}
		})
	}
	writers.Wait()
	close(handed)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	require.Equal(t, 1500, list.Len())
}
