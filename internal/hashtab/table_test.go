package hashtab

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"unsafe"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type pair struct {
	key   string
	value int
}

// tagOf gives keys 64 distinct tags, 0 and 1 among them, so that entries
// share tags and probe sequences.
func tagOf(key string) uint64 {
	var h uint64
	for _, c := range key {
		h = h*31 + uint64(c)
	}
	if h %= 64; h <= 1 {
		return h
	}
	return h * 0x9e3779b97f4a7c15
}

func is(key string) func(*pair) bool { return func(p *pair) bool { return p.key == key } }

// check compares the table with the map it should hold, through Find, All
// and Len.
func check(t *testing.T, tab *Table[pair], want map[string]int) {
	t.Helper()
	if tab.Len() != len(want) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(want))
	}
	for k, v := range want {
		if got, ok := tab.Find(tagOf(k), is(k)); !ok || got.value != v {
			t.Fatalf("Find(%s) = %v %v, want %d", k, got, ok, v)
		}
	}
	seen := 0
	for tag, p := range tab.All() {
		if v, ok := want[p.key]; !ok || v != p.value || fix(tagOf(p.key)) != tag {
			t.Fatalf("All yields %v under tag %d, not in the table", p, tag)
		}
		seen++
	}
	if seen != len(want) {
		t.Fatalf("All yields %d entries, want %d", seen, len(want))
	}
}

// Random puts, replacements and deletes agree with a map through growth,
// tombstones, shrinking and emptying.
func TestTableAgreesWithAMap(t *testing.T) {
	var tab Table[pair]
	want := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 4 {
		for i := range 3000 {
			k := fmt.Sprint("k", rng.IntN(2000))
			if rng.IntN(3) == 0 {
				_, had := want[k]
				if tab.Delete(tagOf(k), is(k)) != had {
					t.Fatalf("Delete(%s) disagrees with the map", k)
				}
				delete(want, k)
				continue
			}
			tab.Put(tagOf(k), pair{k, i}, is(k))
			want[k] = i
		}
		check(t, &tab, want)
		if _, ok := tab.Find(tagOf("absent"), is("absent")); ok {
			t.Fatal("an absent key is found")
		}
		// Drain most of it, so that the table shrinks, or all of it.
		for k := range want {
			if len(want) <= 10*round {
				break
			}
			if !tab.Delete(tagOf(k), is(k)) {
				t.Fatalf("Delete(%s) found nothing", k)
			}
			delete(want, k)
		}
		check(t, &tab, want)
		if cur := tab.cur.Load(); cur != nil && len(cur.slots) > 16*max(len(want), 8) {
			t.Fatalf("%d slots for %d entries", len(cur.slots), len(want))
		}
	}
}

// While one writer adds, replaces and deletes, readers without a lock
// always find the entries that were in the table before they looked and
// stayed, with a value that was put: never a torn or missing one.
func TestTableReadersNeverMissAStableEntry(t *testing.T) {
	var tab Table[pair]
	const stable = 500
	for i := range stable {
		k := fmt.Sprint("stable", i)
		tab.Put(uint64(i)*0x9e3779b97f4a7c15, pair{k, i}, is(k))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for range 2 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := n % stable
				k := fmt.Sprint("stable", i)
				p, ok := tab.Find(uint64(i)*0x9e3779b97f4a7c15, is(k))
				if !ok || p.key != k || p.value%stable != i {
					errs <- fmt.Errorf("stable entry %d read as %v %v", i, p, ok)
					return
				}
			}
		})
	}
	for n := range 5000 {
		i := n % stable
		k := fmt.Sprint("stable", i)
		tab.Put(uint64(i)*0x9e3779b97f4a7c15, pair{k, i + stable*(n/stable+1)}, is(k)) // replace
		churn := fmt.Sprint("churn", n)
		tag := uint64(n) * 0xbf58476d1ce4e5b9
		tab.Put(tag, pair{churn, n}, is(churn))
		if n%3 != 0 {
			tab.Delete(tag, is(churn))
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A table of 16-byte slots starts every probe sequence at a line's first
// slot, holds whole lines, and (once large enough to be page-aligned, as
// its slot array then is) never lets a slot straddle two lines; a line's
// empty slots come after its full ones, which is what lets find stop at a
// line with an empty slot.
func TestTableProbesWholeLines(t *testing.T) {
	var tab Table[uint64]
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 100_000 {
		tab.Put(rng.Uint64(), uint64(i), func(*uint64) bool { return false })
	}
	cur := tab.cur.Load()
	if cur.line != 3 || len(cur.slots)%4 != 0 {
		t.Fatalf("%d slots, %d per line, for 16-byte slots", len(cur.slots), cur.line+1)
	}
	if addr := uintptr(unsafe.Pointer(&cur.slots[0])); addr%cacheLine != 0 {
		t.Fatalf("slots start at %#x, not on a line", addr)
	}
	for range 1000 {
		if h := cur.home(rng.Uint64()); h%4 != 0 || h >= len(cur.slots) {
			t.Fatalf("home %d of %d slots", h, len(cur.slots))
		}
	}
	for i := 0; i < len(cur.slots); i += 4 {
		seenEmpty := false
		for j := i; j < i+4; j++ {
			if got := cur.slots[j].tag.Load(); got == empty {
				seenEmpty = true
			} else if seenEmpty {
				t.Fatalf("line at %d: an entry after an empty slot", i)
			}
		}
	}
}

// Entries that share a tag and a line are all found: find calls eq first
// on the line's last slot with the tag, and must go back to the others
// when eq turns that one down, whichever of them is asked for.
func TestTableFindsEveryEntryOfASharedTag(t *testing.T) {
	const tag = 0x9e3779b97f4a7c15
	var small Table[uint64] // 16-byte slots, four to a line
	for v := range uint64(3) {
		small.Put(tag, v+10, func(*uint64) bool { return false })
	}
	for v := range uint64(3) {
		if got, ok := small.Find(tag, func(x *uint64) bool { return *x == v+10 }); !ok || got != v+10 {
			t.Fatalf("value %d of a shared tag: %d %v", v+10, got, ok)
		}
	}
	if _, ok := small.Find(tag, func(x *uint64) bool { return *x == 13 }); ok {
		t.Fatal("a value never put is found under a shared tag")
	}
	if _, ok, only := small.FindTag(tag); !ok || only {
		t.Fatalf("FindTag of a tag of three entries: found %v, the only one %v", ok, only)
	}
	var one Table[uint64]
	one.Put(tag, 7, func(*uint64) bool { return false })
	if got, ok, only := one.FindTag(tag); !ok || !only || got != 7 {
		t.Fatalf("FindTag of a tag of one entry: %d, found %v, the only one %v", got, ok, only)
	}
	one.Put(tag, 8, func(*uint64) bool { return false })
	if _, ok, only := one.FindTag(tag); !ok || only {
		t.Fatalf("FindTag of a tag of two entries: found %v, the only one %v", ok, only)
	}
	var wide Table[pair] // 32-byte slots, two to a line
	for i := range 5 {
		k := fmt.Sprint("shared", i)
		wide.Put(tag, pair{k, i}, is(k))
	}
	for i := range 5 {
		k := fmt.Sprint("shared", i)
		if got, ok := wide.Find(tag, is(k)); !ok || got.value != i {
			t.Fatalf("%s of a shared tag: %v %v", k, got, ok)
		}
	}
}

// wide makes a 48-byte slot, which does not divide a line: its table
// reads one slot at a time.
type wide struct {
	key string
	v   [3]int
}

// scanTable drives a table of values of some width through random puts,
// replacements and deletes of keys that share tags and probe sequences,
// and checks Find and FindTag against a map after each round.
func scanTable[V any](t *testing.T, line int, make func(key string, i int) V, keyOf func(*V) string) {
	t.Helper()
	var tab Table[V]
	eq := func(k string) func(*V) bool { return func(v *V) bool { return keyOf(v) == k } }
	want := map[string]int{}
	rng := rand.New(rand.NewPCG(5, uint64(line)))
	for round := range 6 {
		for i := range 2000 {
			k := fmt.Sprint("k", rng.IntN(700))
			if rng.IntN(3) == 0 {
				tab.Delete(tagOf(k), eq(k))
				delete(want, k)
				continue
			}
			tab.Put(tagOf(k), make(k, i), eq(k))
			want[k] = i
		}
		if cur := tab.cur.Load(); cur != nil && cur.line != line {
			t.Fatalf("%d slots to a line, want %d", cur.line+1, line+1)
		}
		tags := map[uint64]int{}
		for k := range want {
			tags[fix(tagOf(k))]++
		}
		for k, i := range want {
			got, ok := tab.Find(tagOf(k), eq(k))
			if !ok || keyOf(&got) != k {
				t.Fatalf("round %d: Find(%s) = %v, want the value of %d", round, k, ok, i)
			}
			got, ok, only := tab.FindTag(tagOf(k))
			if !ok || fix(tagOf(keyOf(&got))) != fix(tagOf(k)) {
				t.Fatalf("round %d: FindTag of %s's tag = %v %v", round, k, keyOf(&got), ok)
			}
			if n := tags[fix(tagOf(k))]; only && n != 1 {
				t.Fatalf("round %d: FindTag of %s's tag says it is the only one of %d", round, k, n)
			}
		}
		for i := range 64 {
			k := fmt.Sprint("absent", i)
			if _, ok := tab.Find(tagOf(k), eq(k)); ok {
				t.Fatalf("round %d: %s is found", round, k)
			}
			if got, ok, _ := tab.FindTag(tagOf(k)); ok != (tags[fix(tagOf(k))] > 0) {
				t.Fatalf("round %d: FindTag of %s's tag = %v %v", round, k, keyOf(&got), ok)
			}
		}
	}
}

// A line is read unrolled for four slots and for two, and slot by slot
// otherwise: each reading finds what a map holds, through Find and
// FindTag, whichever slot of a line an entry took and however far its
// probe sequence ran on.
func TestTableScansEveryLineWidth(t *testing.T) {
	t.Run("four", func(t *testing.T) {
		keys := map[uint64]string{}
		scanTable(t, 3, func(k string, i int) uint64 {
			v := uint64(len(keys))<<32 | uint64(i)
			keys[v] = k
			return v
		}, func(v *uint64) string { return keys[*v] })
	})
	t.Run("two", func(t *testing.T) {
		scanTable(t, 1, func(k string, i int) pair { return pair{k, i} }, func(p *pair) string { return p.key })
	})
	t.Run("one", func(t *testing.T) {
		scanTable(t, 0, func(k string, i int) wide { return wide{k, [3]int{i}} }, func(w *wide) string { return w.key })
	})
}
