package guard

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// refuser is an Auth that refuses everything.
type refuser struct{}

func (*refuser) Preflight() bool            { return false }
func (*refuser) Debug(context.Context) bool { return false }
func (*refuser) Reject(w http.ResponseWriter, _ *http.Request, _ error, _ string, _ ...slog.Attr) {
	w.WriteHeader(http.StatusForbidden)
}

func TestFromFindsOnlyAnAuthUnderKey(t *testing.T) {
	if From(context.Background()) != nil {
		t.Fatal("an Auth in an empty context")
	}
	if From(context.WithValue(context.Background(), Key{}, "not an Auth")) != nil {
		t.Fatal("a value of another type under Key is taken for an Auth")
	}
	want := &refuser{}
	if got := From(context.WithValue(context.Background(), Key{}, Auth(want))); got != Auth(want) {
		t.Fatalf("From returned %v", got)
	}
}

func TestMiswiredAnswers500AndLogsTheMistake(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	w := httptest.NewRecorder()
	Miswired(w, httptest.NewRequest(http.MethodGet, "/orders", nil), "wire it right")
	if w.Code != http.StatusInternalServerError || w.Body.String() != `{"error":"server_error","error_description":"The server is misconfigured."}`+"\n" {
		t.Fatalf("answer %d %q", w.Code, w.Body)
	}
	for name, want := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := w.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "cognitojwt: wire it right") || !strings.Contains(logs.String(), "path=/orders") {
		t.Fatalf("log %q", logs.String())
	}
}
