package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// outboxMessage is an entry of the dev-issuer's GET /local/outbox.
type outboxMessage struct {
	PoolID         string    `json:"poolId"`
	Username       string    `json:"username"`
	Kind           string    `json:"kind"`
	DeliveryMedium string    `json:"deliveryMedium"`
	Destination    string    `json:"destination"`
	Code           string    `json:"code"`
	Message        string    `json:"message"`
	Subject        string    `json:"subject,omitempty"`
	Time           time.Time `json:"time"`
}

func runUsersOutbox(e *env, args []string) error {
	fs := newFlagSet(e, "users outbox", "", `Print the messages the pool would have sent by email or SMS: sign-up
codes, password-reset codes, attribute verification codes, invitations
with their temporary password and sign-in codes, an email's subject last
on its row. The dev-issuer sends nothing; it keeps them, oldest first, at
GET /local/outbox.

  code=$(cognitojwt users outbox --username bob --kind ForgotPassword --last)

`+usersHelp)
	pf := addPoolFlags(fs)
	username := fs.String("username", "", "only the messages to `USERNAME`")
	kind := fs.String("kind", "", "only messages of `KIND`: SignUp, ResendCode, ForgotPassword, AdminCreateUser, UpdateUserAttribute, VerifyUserAttribute, Authentication")
	last := fs.Bool("last", false, "print only the code of the newest message selected")
	asJSON := fs.Bool("json", false, "print the messages as the JSON array the dev-issuer serves")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *last && *asJSON {
		return usageErrorf("--last and --json exclude each other")
	}
	c, err := pf.client()
	if err != nil {
		return err
	}
	msgs, err := c.outbox(*username, *kind)
	if err != nil {
		return err
	}
	switch {
	case *last:
		if len(msgs) == 0 {
			return rejectedErrorf("no message matches")
		}
		fmt.Fprintln(e.stdout, msgs[len(msgs)-1].Code)
		return nil
	case *asJSON:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(msgs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	// SUBJECT comes last: it is the one column with spaces in it, so
	// the fields before it stay split by whitespace for scripts.
	fmt.Fprintln(tw, "TIME\tUSERNAME\tKIND\tMEDIUM\tDESTINATION\tCODE\tSUBJECT")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Time.UTC().Format(time.RFC3339), m.Username, m.Kind,
			m.DeliveryMedium, dash(m.Destination), dash(m.Code), dash(oneLine(m.Subject)))
	}
	return tw.Flush()
}

// oneLine keeps a subject on its row: line breaks and tabs become
// spaces (the pool takes the subject as the API gave it).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// outbox reads the dev-issuer's outbox for the client's pool.
func (c *poolClient) outbox(username, kind string) ([]outboxMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
	defer cancel()
	q := url.Values{"pool": {c.poolID}}
	if username != "" {
		q.Set("username", username)
	}
	if kind != "" {
		q.Set("kind", kind)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"local/outbox?"+q.Encode(), nil)
	if err != nil {
		return nil, usageErrorf("--server: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, envErrorf("cannot reach the dev-issuer at %s: %v\n  start it with \"cognitojwt dev-issuer\"", strings.TrimSuffix(c.endpoint, "/"), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIAnswer))
	if err != nil {
		return nil, envErrorf("reading the dev-issuer's answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, envErrorf("%s answered HTTP %d to GET /local/outbox; is it a cognitojwt dev-issuer?", strings.TrimSuffix(c.endpoint, "/"), resp.StatusCode)
	}
	var msgs []outboxMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, envErrorf("the dev-issuer's outbox is not JSON: %v", err)
	}
	return msgs, nil
}
