package main

import (
	"encoding/json"
	"fmt"
	"time"
)

const decodeHelp = `Print a token's header and claims, with its dates in local time and UTC.

Nothing is checked: not the signature, the issuer, the expiry or the client.
Use "cognitojwt verify" for that. TOKEN may be "-" to read it from standard
input; a leading "Bearer " is ignored.`

func runDecode(e *env, args []string) error {
	fs := newFlagSet(e, "decode", "TOKEN|-", decodeHelp)
	asJSON := fs.Bool("json", false, "print one JSON object {verified, header, claims, times, warnings}")
	token, err := parseToken(e, fs, args)
	if err != nil {
		return err
	}
	d, err := decodeToken(token)
	if err != nil {
		if d != nil && d.header != nil && !*asJSON {
			writeJSON(e.stdout, "Header", d.header)
		}
		return rejectedErrorf("cannot decode the token: %v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Verified bool              `json:"verified"`
			Header   json.RawMessage   `json:"header"`
			Claims   json.RawMessage   `json:"claims"`
			Times    map[string]string `json:"times"`
			Warnings []string          `json:"warnings,omitempty"`
		}{false, d.header, d.payload, timesJSON(d.payload), d.warnings})
	}
	w := e.stdout
	fmt.Fprintln(w, "NOT VERIFIED: decoded only. The signature, issuer, expiry and client were not checked.")
	fmt.Fprintln(w)
	writeJSON(w, "Header", d.header)
	fmt.Fprintln(w)
	writeJSON(w, "Claims", d.payload)
	fmt.Fprintln(w)
	writeTimes(w, d.payload, time.Now())
	for _, warning := range d.warnings {
		fmt.Fprintf(w, "\nWarning: %s\n", warning)
	}
	return nil
}
