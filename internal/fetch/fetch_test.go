package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGetReturnsBodyWithinTheLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusNotAcceptable)
			return
		}
		_, _ = w.Write([]byte("12345"))
	}))
	defer srv.Close()
	body, status, err := Get(context.Background(), Client(nil, time.Minute), srv.URL, "application/json", "doc", 5)
	if err != nil || status != http.StatusOK || string(body) != "12345" {
		t.Fatalf("Get: %q %d %v", body, status, err)
	}
	_, status, err = Get(context.Background(), Client(nil, time.Minute), srv.URL, "application/json", "doc", 4)
	if err == nil || status != http.StatusOK || !strings.Contains(err.Error(), "doc larger than 4 bytes") {
		t.Fatalf("over the limit: %d %v", status, err)
	}
}

func TestGetRefusesAnythingButOK(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	_, status, err := Get(context.Background(), Client(nil, time.Minute), srv.URL, "", "doc", 10)
	if err == nil || status != http.StatusNoContent || !strings.Contains(err.Error(), "HTTP 204") {
		t.Fatalf("204: %d %v", status, err)
	}
}

func TestGetErrorsNeverCarryTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	const secret = "0d3b7a52-5bb4-4f0e-9a55-2d3e8c1f7a10"
	_, _, err := Get(context.Background(), Client(nil, time.Minute), srv.URL+"/"+secret, "", "key", 10)
	if err == nil || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), secret) {
		t.Fatalf("redirect off the host: %v", err)
	}
}

func TestClientRedirectRules(t *testing.T) {
	var hops int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops++
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	defer srv.Close()
	_, _, err := Get(context.Background(), Client(nil, time.Minute), srv.URL, "", "doc", 10)
	if err == nil || !strings.Contains(err.Error(), "too many redirects") || hops != 3 {
		t.Fatalf("redirect loop: %d hops, %v", hops, err)
	}
}

func TestCheckURLAllowsPlainHTTPOnlyToLoopback(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://cognito-idp.us-east-1.amazonaws.com/x": true,
		"http://127.0.0.1:9/jwks.json":                  true,
		"http://[::1]:9/jwks.json":                      true,
		"http://LOCALHOST/jwks.json":                    true,
		"http://10.0.0.1/jwks.json":                     false,
		"http://127.0.0.1.evil.example/jwks.json":       false,
		"ftp://127.0.0.1/jwks.json":                     false,
		"/jwks.json":                                    false,
	} {
		if err := CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", raw, err)
		}
	}
}

func TestCallPublishesToEveryWaiter(t *testing.T) {
	c := NewCall[int]()
	results := make(chan int, 3)
	for range 3 {
		go func() {
			<-c.Done()
			results <- c.Val
		}()
	}
	c.Val = 7
	c.Finish()
	for range 3 {
		if v := <-results; v != 7 {
			t.Fatalf("waiter saw %d", v)
		}
	}
}
