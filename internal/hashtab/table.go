// Package hashtab is the open-addressing hash table behind the module's
// revocation lists: lookups take no lock and write nothing, so any number
// of requests read it in parallel without sharing a cache line for
// writing, while one writer at a time (serialised by the caller) adds and
// removes entries at an amortised constant cost.
//
// A lookup is meant to cost one cache line: the tag and the value share a
// slot, and a slot whose size divides 64 bytes (an 8-byte value makes 16
// bytes, a 24-byte one 32) never straddles two lines, as slot arrays are
// allocated aligned. A probe sequence starts at the first slot of a line
// and reads on in order, so a lookup, hit or miss, reads every slot of
// its home line before it needs another; at the table's load most end
// there. A caller whose value holds what a hit must compare (a second
// hash rather than a pointer to the key) answers without touching
// anything else.
// Large tables ask the kernel for huge pages (see hugeSlice), so
// that a random slot of a table of tens of megabytes is not also a TLB
// miss.
//
// A slot is written once, before it is published by an atomic store of
// its tag, and never again while its table is current: an entry removed
// leaves a tombstone, an entry replaced is added anew (further along its
// probe sequence) before the old slot is tombstoned. A reader that loaded
// a tag therefore reads the value that was published with it. When
// tombstones and entries fill three quarters of the slots, or entries
// fall to an eighth, the live entries are copied into a new table that
// replaces the old one with one atomic store; readers still on the old
// one see the set as it was, which is a moment's difference, never a
// torn entry.
package hashtab

import (
	"iter"
	"sync/atomic"
	"unsafe"
)

// Tags 0 and 1 mark empty slots and tombstones; a caller's tag that
// falls on them is moved to 2 and 3, which only costs a comparison.
const (
	empty   = 0
	removed = 1
)

func fix(tag uint64) uint64 {
	if tag <= removed {
		tag += 2
	}
	return tag
}

// Table maps 64-bit tags (the caller's hash of a key) to values of type
// V; several values may share a tag, and the caller's eq tells them
// apart. The zero Table is empty and ready to use. Find and All may run
// at any time; Put and Delete must not run concurrently with each other.
type Table[V any] struct {
	cur  atomic.Pointer[table[V]]
	live int // entries, written by the writer only
	used int // entries and tombstones in cur
}

type table[V any] struct {
	slots []slot[V]
	// line is the number of slots per cache line less one (0 when a slot's
	// size does not divide a line): a probe sequence starts at a multiple
	// of line+1, which divides len(slots).
	line int
}

// cacheLine is the line size of the processors the module runs on
// (x86-64, arm64).
const cacheLine = 64

type slot[V any] struct {
	tag atomic.Uint64
	val V
}

// home is where tag's probe sequence starts: the tag's high 32 bits
// scaled to the table, so that any size works, rounded down to the first
// slot of its line.
func (t *table[V]) home(tag uint64) int {
	return int((tag>>32)*uint64(len(t.slots))>>32) &^ t.line
}

func newTable[V any](n int) *table[V] {
	line := 0
	if size := int(unsafe.Sizeof(slot[V]{})); size <= cacheLine && cacheLine%size == 0 {
		line = cacheLine/size - 1
	}
	n = (n + line) &^ line
	return &table[V]{slots: hugeSlice[slot[V]](n), line: line}
}

// Empty reports whether the table holds no entry; unlike Len, readers may
// call it: it is one atomic load, so an empty table costs a reader nothing
// more.
func (t *Table[V]) Empty() bool { return t.cur.Load() == nil }

// Len returns the number of entries. Only the writer may call it.
func (t *Table[V]) Len() int { return t.live }

// Find returns the value of the first live entry whose tag is tag and for
// which eq (called only on such entries) holds. It takes no lock.
func (t *Table[V]) Find(tag uint64, eq func(*V) bool) (V, bool) {
	if tab := t.cur.Load(); tab != nil {
		if s := tab.find(fix(tag), eq); s != nil {
			return s.val, true
		}
	}
	var zero V
	return zero, false
}

// FindTag returns the value of a live entry whose tag is tag, without a
// comparison function to call: a caller that tells entries apart checks
// the value itself, and asks Find only when it is not the one it wants,
// which, with tags from a 64-bit hash, is when two keys share one. only
// reports that no other live entry has the tag, so that a caller for
// whom the entry's answer does not depend on whose it is (an entry
// under its key's tag that is not its own, and no entry at all, answer
// alike) need not tell. only errs towards false: it is false whenever
// the entry's line has no empty slot after it (the entry in a line's
// last slot, or a full line), where another entry of the tag could
// follow, so a false only says nothing. It takes no lock.
func (t *Table[V]) FindTag(tag uint64) (v V, ok, only bool) {
	tab := t.cur.Load()
	if tab == nil {
		return v, false, false
	}
	tag = fix(tag)
	n := len(tab.slots)
	for i := tab.home(tag); ; {
		last, matches, open := tab.scan(i, tag)
		if matches != 0 {
			// Entries under one tag share a probe sequence, which ends at
			// the first line with an empty slot.
			return tab.slots[last].val, true, matches == 1 && open
		}
		if open {
			return v, false, false
		}
		if i += tab.line + 1; i == n {
			i = 0
		}
	}
}

// find reads a whole line before it decides anything: per slot it notes,
// without a branch, whether the tag matches, and whether the line has an
// empty slot, and only then calls eq, once, on the line's matching slot. A hit
// lands on any slot of its line, so a branch per slot would be
// mispredicted on most hits, and a misprediction that waits on a load
// from memory stalls everything after it; as it is, the branches taken
// (a match in the line, eq's answer, an empty slot) are the same on every
// hit and on every miss, so the processor runs on to the lookups that
// follow (a token's other ids, the next request) while this one's line is
// still on its way.
func (t *table[V]) find(tag uint64, eq func(*V) bool) *slot[V] {
	n := len(t.slots)
	for i := t.home(tag); ; {
		end := i + t.line
		last, matches, open := t.scan(i, tag)
		if matches != 0 {
			if s := &t.slots[last]; eq(&s.val) {
				return s
			}
			// Entries that share a tag, which eq tells apart: as rare as
			// the caller's hash makes them.
			for j := i; matches > 1 && j < last; j++ {
				if s := &t.slots[j]; s.tag.Load() == tag && eq(&s.val) {
					return s
				}
			}
		}
		if open {
			return nil
		}
		if i = end + 1; i == n {
			i = 0
		}
	}
}

// scan reads the line that starts at i: the index of its last slot under
// tag, how many slots are under tag, and whether the line has an empty
// slot. Empty slots end a line, never come before a full one (an entry
// takes the first empty slot from its line's start, and an entry leaves
// a tombstone, not an empty slot), so the line's last slot tells. Lines
// of four slots (16-byte slots) and two (32-byte slots), the module's
// tables, are read unrolled, with no bounds check per slot: the line is
// what a hit's time goes to once its memory has arrived.
func (t *table[V]) scan(i int, tag uint64) (last, matches int, open bool) {
	switch t.line {
	case 3:
		l := (*[4]slot[V])(t.slots[i : i+4])
		t0, t1, t2, t3 := l[0].tag.Load(), l[1].tag.Load(), l[2].tag.Load(), l[3].tag.Load()
		m1, m2, m3 := bit(t1 == tag), bit(t2 == tag), bit(t3 == tag)
		last = i + max(m1, 2*m2, 3*m3)
		return last, bit(t0 == tag) + m1 + m2 + m3, t3 == empty
	case 1:
		l := (*[2]slot[V])(t.slots[i : i+2])
		t0, t1 := l[0].tag.Load(), l[1].tag.Load()
		m1 := bit(t1 == tag)
		return i + m1, bit(t0 == tag) + m1, t1 == empty
	}
	line := t.slots[i : i+t.line+1]
	for j := range line {
		got := line[j].tag.Load()
		m := bit(got == tag)
		matches += m
		last ^= (last ^ (i + j)) & -m
		open = got == empty
	}
	return last, matches, open
}

// bit is 1 for true and 0 for false, without a branch.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Put adds v under tag, replacing the live entry eq matches if there is
// one. Readers see the old value or the new one, never neither.
func (t *Table[V]) Put(tag uint64, v V, eq func(*V) bool) {
	tag = fix(tag)
	tab := t.cur.Load()
	if tab == nil || 4*(t.used+1) > 3*len(tab.slots) {
		tab = t.rebuild(t.live + 1)
	}
	old := tab.find(tag, eq)
	tab.insert(tag, v)
	t.used++
	if old != nil {
		old.tag.Store(removed)
	} else {
		t.live++
	}
}

// insert publishes v in the first empty slot of tag's probe sequence; the
// table has one, as it is never more than three quarters full.
func (t *table[V]) insert(tag uint64, v V) {
	n := len(t.slots)
	for i := t.home(tag); ; {
		s := &t.slots[i]
		if s.tag.Load() == empty {
			s.val = v
			s.tag.Store(tag)
			return
		}
		if i++; i == n {
			i = 0
		}
	}
}

// Delete removes the live entry under tag that eq matches, and reports
// whether there was one.
func (t *Table[V]) Delete(tag uint64, eq func(*V) bool) bool {
	tab := t.cur.Load()
	if tab == nil {
		return false
	}
	s := tab.find(fix(tag), eq)
	if s == nil {
		return false
	}
	s.tag.Store(removed)
	t.live--
	if t.live == 0 {
		t.cur.Store(nil)
		t.used = 0
	} else if len(tab.slots) > 64 && 8*t.live < len(tab.slots) {
		t.rebuild(t.live)
	}
	return true
}

// rebuild replaces the table by one of twice room for entries holding the
// live entries, and returns it. Growing at three quarters and shrinking at
// an eighth, each rebuild follows a number of writes proportional to its
// size.
func (t *Table[V]) rebuild(entries int) *table[V] {
	next := newTable[V](max(16, 2*entries))
	if old := t.cur.Load(); old != nil {
		for i := range old.slots {
			s := &old.slots[i]
			if tag := s.tag.Load(); tag > removed {
				next.insert(tag, s.val)
			}
		}
	}
	t.cur.Store(next)
	t.used = t.live
	return next
}

// All yields the live entries' tags and values, from the table current
// when it is called. It takes no lock; an entry put or deleted meanwhile
// may or may not be seen.
func (t *Table[V]) All() iter.Seq2[uint64, V] {
	return func(yield func(uint64, V) bool) {
		tab := t.cur.Load()
		if tab == nil {
			return
		}
		for i := range tab.slots {
			s := &tab.slots[i]
			if tag := s.tag.Load(); tag > removed && !yield(tag, s.val) {
				return
			}
		}
	}
}
