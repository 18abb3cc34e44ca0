package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// FuzzOpenSessionCookie feeds arbitrary Cookie headers through the path
// every session-authenticated request takes (read the chunks, open, decode)
// and arbitrary plaintexts through the decoders, which must refuse what
// they cannot parse and never panic. A header that opens must hold a
// session this key sealed.
func FuzzOpenSessionCookie(f *testing.F) {
	keys := [][]byte{make([]byte, KeySize)}
	a, err := New(Config{
		Domain: "http://127.0.0.1:1", ClientID: "c", RedirectURL: "http://127.0.0.1:2/callback",
		LogoutURL: "http://127.0.0.1:2/", Keys: keys,
		Verify: cognitojwt.Config{Issuer: "http://127.0.0.1:1/local_Pool"},
	})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s := &session{id: "id", created: now, seen: now, accessExp: now, idExp: now, idToken: "a.b.c", access: "d.e.f"}
	small := a.seal.seal(purposeSession, s.encode())
	s.idToken = strings.Repeat("x", 9000)
	big := a.seal.seal(purposeSession, s.encode())
	chunked := "session=3." + big[:chunkSize] + "; session-1=" + big[chunkSize:2*chunkSize] + "; session-2=" + big[2*chunkSize:]
	for _, seed := range []string{
		"session=" + small, chunked, "session=" + small + "; session=" + small, "session=2." + small,
		"session=9.x; session-1=y", "session=; session-1=", "session=0.", "session=" + small[:len(small)-1],
		"session-at=x; session-rt=y; session-signin-abcdefgh=z", "session=AQ", "",
	} {
		f.Add(seed, []byte(nil))
	}
	f.Add("", s.encode())
	f.Add("", (&flow{state: "s", nonce: "n", verifier: "v", next: "/"}).encode())
	f.Add("", appendRecord(nil, []byte("a"), []byte("c")))
	f.Fuzz(func(t *testing.T, header string, plain []byte) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		var c cookieSet
		a.cookies(r, &c)
		if c.session() != nil {
			var got session
			if _, err := a.codec.load(context.Background(), &c, &got); err == nil && got.id != "id" {
				t.Fatalf("a forged cookie opened as session %q", got.id)
			}
		}
		_, _ = decodeSession(append([]byte(nil), plain...))
		_, _ = decodeFlow(append([]byte(nil), plain...))
		var rec [2][]byte
		_ = splitRecord(plain, rec[:])
		_, _, _ = a.seal.openRaw(purposeSession, append([]byte(nil), plain...), true)
		_, _, _ = a.seal.openRaw(purposeSession, plain, false)
	})
}
