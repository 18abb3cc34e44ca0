package cognitolocal

// TEMPORARY: stands in for the outbox until it lands on main; removed at that merge.

import (
	"crypto/rand"
	"encoding/binary"
)

type MessageKind string

const MessageAuthentication MessageKind = "Authentication"
const (
	MediumEmail = "EMAIL"
	MediumSMS   = "SMS"
)

type destination struct{ medium, attribute, address string }

func emailOf(u *user) destination {
	return destination{medium: MediumEmail, attribute: "email", address: u.Attributes["email"]}
}
func phoneOf(u *user) destination {
	return destination{medium: MediumSMS, attribute: "phone_number", address: u.Attributes["phone_number"]}
}
func mask(d destination) string { return "x***" }

type codeDeliveryDetails struct{ Destination, DeliveryMedium, AttributeName string }

var pendingOutbox = map[string]string{}

func (p *Pool) deliverLocked(u *user, kind MessageKind, d destination, code, text string) *codeDeliveryDetails {
	pendingOutbox[u.Username] = code
	return &codeDeliveryDetails{Destination: mask(d), DeliveryMedium: d.medium, AttributeName: d.attribute}
}

func (p *Pool) LastCode(username string, kind MessageKind) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := pendingOutbox[username]
	return c, ok
}

func randIntn(n int) int {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int(binary.BigEndian.Uint64(b[:]) % uint64(n))
}
