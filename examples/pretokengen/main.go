// Command pretokengen is an Amazon Cognito pre-token-generation trigger
// (event version V2_0) that copies two user attributes into the access
// token, so that an API can decide from the token alone, with no
// UserInfo or GetUser call:
//
//	birthdate          → birthdate   (for authz.AgeAtLeast)
//	custom:department  → department
//
// Cognito's access tokens carry no user attributes without such a
// trigger; ID tokens carry them already. The handler is in package
// trigger, so that tests run it in-process against the local user pool
// (cognitolocal.Config.PreTokenGeneration) exactly as Lambda runs it.
//
// Build for the provided.al2023 runtime and attach it to the user pool as
// its pre-token-generation trigger, event version V2_0 (Essentials or Plus
// feature plan):
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap .
//
// For local development, -http serves the same handler over HTTP for the
// dev-issuer to call:
//
//	(cd examples/pretokengen && go run . -http 127.0.0.1:9230)
//	cognitojwt dev-issuer --pre-token-generation http://127.0.0.1:9230/ --custom-attribute department
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitojwt/cognitojwt/examples/pretokengen/trigger"
)

func main() {
	addr := flag.String("http", "", "serve the trigger over HTTP on this `address` instead of running in Lambda")
	flag.Parse()
	if *addr == "" {
		lambda.Start(trigger.AddProfileClaims)
		return
	}
	log.Printf("pre-token-generation trigger at http://%s/", *addr)
	srv := &http.Server{Addr: *addr, Handler: httpTrigger(), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// maxEvent bounds the event read; Cognito's are a few kilobytes.
const maxEvent = 1 << 20

// httpTrigger answers POST / as the dev-issuer's --pre-token-generation
// calls it: the event as JSON in, the event with its response out.
func httpTrigger() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxEvent)).Decode(&ev); err != nil {
			http.Error(w, "the body is not a pre-token-generation event", http.StatusBadRequest)
			return
		}
		out, err := trigger.AddProfileClaims(r.Context(), ev)
		if err != nil {
			// Cognito fails the sign-in when the trigger fails; so does the
			// dev-issuer on a 5xx.
			http.Error(w, "trigger failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}
