package web

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// DefaultStoreTimeout bounds one call to Config.Store when
// Config.StoreTimeout is zero: a stalled store answers pages with 503
// after about this long rather than holding them for the whole stall.
const DefaultStoreTimeout = time.Second

// storeCodec keeps the session in a Store and only its sealed id in the
// cookie. The record holds two sealed parts laid out like the two cookies
// of cookieCodec: the session, opened by every request, and the refresh
// token, opened only to refresh and to sign out.
type storeCodec struct {
	a       *Auth
	store   Store
	timeout time.Duration
}

// bound gives one store call its deadline.
func (k storeCodec) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, k.timeout)
}

func (k storeCodec) load(ctx context.Context, c *cookieSet, s *session) (bool, error) {
	pt, idx, err := k.a.seal.open(purposeRef, c.session()...)
	if err != nil {
		return false, because(ErrNoSession, "cookie does not open")
	}
	found, sidx, err := k.get(ctx, string(pt), s)
	if err != nil {
		return false, err
	}
	if !found {
		return false, because(ErrNoSession, "session not in the store")
	}
	return idx > 0 || sidx > 0, nil
}

// get reads and opens the record of id into s: false when there is none.
func (k storeCodec) get(ctx context.Context, id string, s *session) (bool, int, error) {
	ctx, cancel := k.bound(ctx)
	defer cancel()
	rec, ok, err := k.store.Get(ctx, id)
	switch {
	case err != nil:
		return false, 0, storeFailed("read", err)
	case !ok:
		return false, 0, nil
	}
	var sealed [2][]byte
	if splitRecord(rec, sealed[:]) != nil {
		return false, 0, because(ErrNoSession, "stored session is malformed")
	}
	// Opened into a buffer of its own: rec may be the store's.
	pt, idx, err := k.a.seal.openRaw(purposeStore+id, sealed[0], false)
	if err != nil {
		return false, 0, because(ErrNoSession, "stored session does not open")
	}
	if s.decode(pt) != nil || s.id != id {
		return false, 0, because(ErrNoSession, "store holds no session under its id")
	}
	s.sealedRefresh, s.rec = sealed[1], rec
	return true, idx, nil
}

func storeFailed(what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return because(ErrUnavailable, "store "+what+" did not finish within StoreTimeout")
	}
	return because(ErrUnavailable, "store "+what+" failed")
}

func (k storeCodec) openRefresh(_ *cookieSet, s *session) {
	if s.refresh != "" || len(s.sealedRefresh) == 0 {
		return
	}
	if pt, _, err := k.a.seal.openRaw(purposeRefresh+s.id, s.sealedRefresh, false); err == nil {
		s.refresh = string(pt)
	}
}

// record seals s for the store. A refresh token that was never opened
// keeps its sealed part: a touch costs no encryption of it.
func (k storeCodec) record(s *session) (rec, rt []byte) {
	rt = s.sealedRefresh
	if s.refresh != "" {
		rt = k.a.seal.sealRaw(purposeRefresh+s.id, []byte(s.refresh))
	}
	return appendRecord(nil, k.a.seal.sealRaw(purposeStore+s.id, s.encode()), rt), rt
}

func (k storeCodec) ttl(s *session) time.Duration { return min(k.a.idle, k.a.left(s)) }

func (k storeCodec) write(ctx context.Context, w http.ResponseWriter, c *cookieSet, s *session, what saveWhat) error {
	if s.rec == nil {
		// A new sign-in: the id is fresh, nothing to compare with.
		rec, rt := k.record(s)
		sctx, cancel := k.bound(ctx)
		err := k.store.Set(sctx, s.id, rec, k.ttl(s))
		cancel()
		if err != nil {
			return storeFailed("write", err)
		}
		s.rec, s.sealedRefresh = rec, rt
	} else {
		ok, err := k.replace(ctx, s, s)
		if err != nil {
			return err
		}
		if !ok {
			return errChanged
		}
	}
	if what == saveAll {
		k.a.jars[jarSession].write(w, k.a.seal.seal(purposeRef, []byte(s.id)), k.a.left(s), c.jars[jarSession].count)
	}
	return nil
}

func (k storeCodec) current(ctx context.Context, s *session) (*session, error) {
	cur := &session{}
	found, _, err := k.get(ctx, s.id, cur)
	if err != nil || !found {
		return nil, err
	}
	return cur, nil
}

func (k storeCodec) replace(ctx context.Context, s, next *session) (bool, error) {
	rec, rt := k.record(next)
	ctx, cancel := k.bound(ctx)
	defer cancel()
	ok, err := k.store.Swap(ctx, s.id, s.rec, rec, k.ttl(next))
	if err != nil {
		return false, storeFailed("write", err)
	}
	if ok {
		next.rec, next.sealedRefresh = rec, rt
	}
	return ok, nil
}

func (k storeCodec) remove(ctx context.Context, s *session) error {
	ctx, cancel := k.bound(context.WithoutCancel(ctx))
	defer cancel()
	if err := k.store.Delete(ctx, s.id); err != nil {
		return storeFailed("delete", err)
	}
	return nil
}
