package online_test

import (
	"log"
	"net/http"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/online"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// Payments are checked with Cognito on every request (a verdict is reused
// for a few seconds); the rest of the API relies on local verification and
// the revocation list, which the online checks feed.
func ExampleChecker_RequireFresh() {
	list := new(revocation.List)
	v, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID:  "eu-west-1_AbC123",
		ClientIDs:   []string{"4f8k2m9q7r1s3t5v6w8x0y2z4a"},
		Revocations: list,
	})
	if err != nil {
		log.Fatal(err)
	}
	checker, err := online.New(online.Config{
		Region:      "eu-west-1",
		Revocations: online.Local(list),
		VerdictTTL:  3 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	pay := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := online.UserFromContext(r.Context())
		if user.Attributes["custom:plan"] != "premium" {
			http.Error(w, "premium only", http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /payments", cognitojwt.Middleware(v)(checker.RequireFresh(pay)))
	_ = http.ListenAndServe("127.0.0.1:8080", mux)
}
