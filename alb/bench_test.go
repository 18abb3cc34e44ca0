package alb_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/alb"
)

// BenchmarkALBVerify measures a verification with the key cached: the
// token parse plus one P-256 signature check, since ALB tokens are not
// kept in a verified-token cache.
func BenchmarkALBVerify(b *testing.B) {
	keys := &albKeyServer{pems: map[string][]byte{}, requests: map[string]int{}}
	keys.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys.mu.Lock()
		body := keys.pems[strings.TrimPrefix(r.URL.Path, "/keys/")]
		keys.mu.Unlock()
		_, _ = w.Write(body)
	}))
	defer keys.srv.Close()
	f := &albFixture{clk: &depClock{t: time.Now()}, priv: newP256(), kid: newUUIDString()}
	keys.publish(f.kid, &f.priv.PublicKey)
	v, err := alb.New(alb.Config{
		ALBARNs: []string{albARN}, ClientIDs: []string{albClient}, Issuer: albIssuer, KeyURL: keys.template(),
	})
	if err != nil {
		b.Fatal(err)
	}
	tok := f.token(nil, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
