package main

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
)

func (s *devServer) mint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMintBody)
	req, err := readMintRequest(r)
	var resp *mintResponse
	if err == nil {
		resp, err = mintTokens(s.pool, req)
	}
	if err != nil {
		status := http.StatusInternalServerError
		if isBadRequest(err) {
			status = http.StatusBadRequest
		}
		writeMintError(w, status, err.Error())
		return
	}
	kinds := []string{}
	if resp.AccessToken != "" {
		kinds = append(kinds, "access")
	}
	if resp.IDToken != "" {
		kinds = append(kinds, "id")
	}
	who := req.Username
	if req.Machine {
		who = "machine client"
	} else if who == "" {
		who = defaultUsername
	}
	s.log.Printf("minted %s token for %s, groups %v, scopes %v, lifetime %ds",
		strings.Join(kinds, "+"), who, req.Groups, req.Scopes, resp.ExpiresIn)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeMintError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": msg})
}

// readMintRequest reads a JSON body strictly (unknown fields are refused,
// to catch typos) or form fields of the same names.
func readMintRequest(r *http.Request) (mintRequest, error) {
	var req mintRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, badRequestf("JSON body: %v", err)
		}
		if dec.More() {
			return req, badRequestf("JSON body holds more than one value")
		}
		return req, nil
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, badRequestf("body larger than %d bytes", maxMintBody)
		}
		return req, badRequestf("form: %v", err)
	}
	for name := range r.Form {
		switch name {
		case "username", "email", "groups", "scopes", "attribute", "claim", "trigger_claim", "client_id", "token_use", "lifetime", "machine":
		default:
			return req, badRequestf("unknown field %q", name)
		}
	}
	req.Username = r.Form.Get("username")
	req.Email = r.Form.Get("email")
	req.ClientID = r.Form.Get("client_id")
	req.TokenUse = r.Form.Get("token_use")
	req.Lifetime = r.Form.Get("lifetime")
	req.Groups = splitList(r.Form["groups"])
	req.Scopes = splitList(r.Form["scopes"])
	var err error
	if req.Machine, err = parseBool("machine", r.Form.Get("machine")); err != nil {
		return req, err
	}
	for _, kv := range r.Form["attribute"] {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return req, badRequestf("attribute %q is not NAME=VALUE", kv)
		}
		if req.Attributes == nil {
			req.Attributes = map[string]string{}
		}
		req.Attributes[name] = value
	}
	var claims, triggerClaims pairFlag
	for _, field := range []struct {
		name string
		into *pairFlag
	}{{"claim", &claims}, {"trigger_claim", &triggerClaims}} {
		for _, kv := range r.Form[field.name] {
			if err := field.into.Set(kv); err != nil {
				return req, badRequestf("%s %q is not NAME=VALUE", field.name, kv)
			}
		}
	}
	req.Claims = claims.values()
	req.TriggerClaims = triggerClaims.values()
	return req, nil
}
