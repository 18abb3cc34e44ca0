package hashtab

import (
	"math/rand/v2"
	"sync"
	"testing"
)

func TestFilterSizes(t *testing.T) {
	for _, tt := range []struct{ n, bits int }{{0, 64}, {1, 64}, {64, 64}, {65, 128}, {1000, 1024}, {1025, 1088}, {3 * 64 << 10, 3 * 64 << 10}, {1 << 20, 1 << 20}} {
		if got := NewFilter(tt.n).Bits(); got != tt.bits {
			t.Errorf("NewFilter(%d).Bits() = %d, want %d", tt.n, got, tt.bits)
		}
	}
}

// A hash that was set is always found; one that was not is found only
// when both its bits were set by others, which at 16 bits a hash stays
// rare.
func TestFilterHasWhatWasSet(t *testing.T) {
	f := NewFilter(16 * 1000)
	r := rand.New(rand.NewPCG(1, 2))
	set := make([]uint64, 1000)
	for i := range set {
		set[i] = r.Uint64()
		f.Set(set[i])
	}
	for _, h := range set {
		if !f.Has(h) {
			t.Fatalf("hash %#x was set but is not found", h)
		}
	}
	passed := 0
	for range 100_000 {
		if f.Has(r.Uint64()) {
			passed++
		}
	}
	if passed > 3_000 {
		t.Fatalf("%d of 100000 hashes never set pass the filter", passed)
	}
	if NewFilter(64).Has(0) || NewFilter(64).Has(^uint64(0)) {
		t.Fatal("an empty filter has a hash")
	}
}

// A filter of any number of words spreads hashes over all of them: a
// size that is not a power of two leaves no word unused and sends none
// out of range.
func TestFilterSpreadsOverEveryWord(t *testing.T) {
	const words = 1000
	f := NewFilter(64 * words)
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 * words {
		f.Set(r.Uint64())
	}
	for i := range f.words {
		if f.words[i].Load() == 0 {
			t.Fatalf("word %d of %d holds no bit after %d hashes", i, words, 20*words)
		}
	}
}

// Has3 answers, for each of its three hashes, what Has does, in every
// position and whatever the others are, except that 0 stands for an id a
// token does not carry and is never found, even in a filter where 0's
// own bits are set.
func TestFilterHas3AnswersAsHasForEach(t *testing.T) {
	f := NewFilter(16 * 100)
	r := rand.New(rand.NewPCG(5, 6))
	pool := []uint64{0}
	for i := range 200 {
		h := r.Uint64()
		if i%2 == 0 {
			f.Set(h)
		}
		pool = append(pool, h)
	}
	f.Set(0)
	if !f.Has(0) {
		t.Fatal("0 was set but Has does not find it")
	}
	want := func(h uint64) bool { return h != 0 && f.Has(h) }
	found := 0
	for range 10_000 {
		a, b, c := pool[r.IntN(len(pool))], pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]
		ga, gb, gc := f.Has3(a, b, c)
		if ga != want(a) || gb != want(b) || gc != want(c) {
			t.Fatalf("Has3(%#x, %#x, %#x) = %v, %v, %v; want %v, %v, %v", a, b, c, ga, gb, gc, want(a), want(b), want(c))
		}
		if ga || gb || gc {
			found++
		}
	}
	if found == 0 {
		t.Fatal("no triple held a hash that was set: the test checks nothing")
	}
	if a, b, c := f.Has3(0, 0, 0); a || b || c {
		t.Fatal("Has3 found an absent id (0)")
	}
}

// A word's mark is at least every value raised for a hash of the word,
// and never falls: a lower value leaves it, and a hash of another word
// neither reads nor moves it.
func TestFilterMarksOnlyRise(t *testing.T) {
	f := NewFilter(64 * 1000)
	r := rand.New(rand.NewPCG(5, 6))
	a := r.Uint64()
	if f.High(a) != 0 {
		t.Fatal("a new filter's mark is not 0")
	}
	f.Raise(a, 100)
	f.Raise(a, 40)
	if got := f.High(a); got != 100 {
		t.Fatalf("mark %d after raising to 100 then 40", got)
	}
	i, _ := f.word(a)
	for range 10_000 {
		h := r.Uint64()
		if j, _ := f.word(h); j != i {
			f.Raise(h, 1000)
			continue
		}
		if got := f.High(h); got != 100 {
			t.Fatalf("a hash of the same word reads mark %d, want 100", got)
		}
	}
	if got := f.High(a); got != 100 {
		t.Fatalf("marks of other words moved this one to %d", got)
	}
	f.Raise(a, 1<<32-1)
	if got := f.High(a); got != 1<<32-1 {
		t.Fatalf("mark %d, want the largest", got)
	}
}

// Writers raising one word at once leave it at the largest of their
// values. Run under -race.
func TestFilterConcurrentRaisesKeepTheLargest(t *testing.T) {
	f := NewFilter(64)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for v := range uint32(5000) {
				f.Raise(uint64(v), v*4+uint32(w))
				if got := f.High(uint64(v)); got < v*4+uint32(w) {
					t.Errorf("mark %d below the value %d just raised", got, v*4+uint32(w))
					return
				}
			}
		})
	}
	wg.Wait()
	if got := f.High(0); got != 4999*4+3 {
		t.Fatalf("mark %d, want %d", got, 4999*4+3)
	}
}
