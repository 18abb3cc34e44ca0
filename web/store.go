package web

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Store keeps sessions on the server, for Config.Store: the cookie then
// holds only a random session id. Values are sealed with Config.Keys
// before they reach the store and opened into buffers of their own after
// they leave it, so a store never sees a token and may hand back its own
// buffers, which are never written.
//
// Implementations must be safe for concurrent use and return once ctx is
// done: Auth bounds every call with Config.StoreTimeout and answers 503
// when it runs out. A missing or expired id is ok == false with a nil
// error.
type Store interface {
	Get(ctx context.Context, id string) (value []byte, ok bool, err error)
	// Set stores value under id for ttl, replacing any value: a new
	// sign-in.
	Set(ctx context.Context, id string, value []byte, ttl time.Duration) error
	// Swap stores value under id for ttl only if the value there is still
	// old, byte for byte, and reports whether it did. Every write after
	// sign-in is a Swap, so that the write-back of a request already
	// under way never brings back a session that sign-out deleted, nor
	// overwrites what another request (a refresh) wrote meanwhile.
	Swap(ctx context.Context, id string, old, value []byte, ttl time.Duration) (swapped bool, err error)
	Delete(ctx context.Context, id string) error
}

// MemoryStore is a Store in this process's memory: sessions end when the
// process does and are not shared with other instances. Its zero value is
// ready to use. Expired entries are dropped when read and by a sweep every
// few hundred writes, so it needs no goroutine.
type MemoryStore struct {
	mu      sync.Mutex
	entries map[string]memoryEntry
	writes  int
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
}

type memoryEntry struct {
	value []byte
	until time.Time
}

// sweepEvery is how many writes pass between sweeps of expired entries:
// often enough to bound memory by the live sessions, rarely enough that
// the sweep's cost vanishes per write.
const sweepEvery = 256

func (m *MemoryStore) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Get returns a copy of the value stored under id.
func (m *MemoryStore) Get(_ context.Context, id string) ([]byte, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	if !ok {
		return nil, false, nil
	}
	if !now.Before(e.until) {
		delete(m.entries, id)
		return nil, false, nil
	}
	return append([]byte(nil), e.value...), true, nil
}

// Set stores a copy of value under id for ttl; a ttl of zero or less
// deletes it.
func (m *MemoryStore) Set(_ context.Context, id string, value []byte, ttl time.Duration) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if ttl <= 0 {
		delete(m.entries, id)
		return nil
	}
	if m.entries == nil {
		m.entries = map[string]memoryEntry{}
	}
	m.entries[id] = memoryEntry{value: append([]byte(nil), value...), until: now.Add(ttl)}
	if m.writes++; m.writes%sweepEvery == 0 {
		for k, e := range m.entries {
			if !now.Before(e.until) {
				delete(m.entries, k)
			}
		}
	}
	return nil
}

// Swap replaces the value under id with a copy of value for ttl if it is
// still old.
func (m *MemoryStore) Swap(_ context.Context, id string, old, value []byte, ttl time.Duration) (bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	if !ok || !now.Before(e.until) || !bytes.Equal(e.value, old) {
		return false, nil
	}
	if ttl <= 0 {
		delete(m.entries, id)
		return true, nil
	}
	m.entries[id] = memoryEntry{value: append([]byte(nil), value...), until: now.Add(ttl)}
	return true, nil
}

// Delete removes id; deleting a missing id is not an error.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	delete(m.entries, id)
	m.mu.Unlock()
	return nil
}

// Len reports how many entries the store holds, expired ones not yet
// dropped included.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
