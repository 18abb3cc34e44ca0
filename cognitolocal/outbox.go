package cognitolocal

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// MessageKind says why the pool sent a message. The values are the
// trigger sources of Cognito's custom message Lambda trigger without
// their "CustomMessage_" prefix, so that a message found here names the
// event a real pool would hand that trigger
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-message.html).
type MessageKind string

// The kinds of messages the pool sends.
const (
	// MessageSignUp carries the code of SignUp that ConfirmSignUp takes.
	MessageSignUp MessageKind = "SignUp"
	// MessageResendCode carries a new sign-up code (ResendConfirmationCode).
	MessageResendCode MessageKind = "ResendCode"
	// MessageForgotPassword carries the code ConfirmForgotPassword takes,
	// sent by ForgotPassword and AdminResetUserPassword.
	MessageForgotPassword MessageKind = "ForgotPassword"
	// MessageAdminCreateUser is an invitation: the username and the
	// temporary password (in Code) of AdminCreateUser.
	MessageAdminCreateUser MessageKind = "AdminCreateUser"
	// MessageUpdateUserAttribute carries the code that verifies a changed
	// email address or phone number.
	MessageUpdateUserAttribute MessageKind = "UpdateUserAttribute"
	// MessageVerifyUserAttribute carries the code of
	// GetUserAttributeVerificationCode that VerifyUserAttribute takes.
	MessageVerifyUserAttribute MessageKind = "VerifyUserAttribute"
	// MessageAuthentication carries a sign-in code (MFA or one-time
	// password).
	MessageAuthentication MessageKind = "Authentication"
)

// Delivery media, as DeliveryMediumType names them.
const (
	MediumEmail = "EMAIL"
	MediumSMS   = "SMS"
)

// Message is one message the pool would have sent by email or SMS. A
// local pool sends nothing: it keeps the message in its outbox, where
// tests and scripts read the codes a user would have received.
type Message struct {
	PoolID string `json:"poolId"`
	// Username is the user's username as the pool stores it.
	Username string      `json:"username"`
	Kind     MessageKind `json:"kind"`
	// DeliveryMedium is MediumEmail or MediumSMS.
	DeliveryMedium string `json:"deliveryMedium"`
	// Destination is the full address or phone number; the API answers
	// only show it masked.
	Destination string `json:"destination"`
	// Code is the verification code or, for an invitation, the temporary
	// password.
	Code string `json:"code"`
	// Message is the text the user would read.
	Message string `json:"message"`
	// Subject is the subject of an email the pool gives one: the
	// Subject of EmailMfaConfiguration, on the emails with sign-in codes
	// (MFA and EMAIL_OTP). Empty otherwise.
	Subject string    `json:"subject,omitempty"`
	Time    time.Time `json:"time"`
}

// MessageFilter selects messages of the outbox; its zero value selects
// them all.
type MessageFilter struct {
	// Username selects one user's messages (compared as usernames are).
	Username string
	// Kind selects one kind.
	Kind MessageKind
}

// maxOutbox bounds the messages a pool keeps: the oldest go first, so a
// long-running dev-issuer does not grow without bound.
const maxOutbox = 1000

// Messages returns the messages of the outbox that f selects, oldest
// first.
func (p *Pool) Messages(f MessageFilter) []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []Message{}
	for _, m := range p.outbox {
		if (f.Username == "" || fold(f.Username) == fold(m.Username)) && (f.Kind == "" || f.Kind == m.Kind) {
			out = append(out, m)
		}
	}
	return out
}

// LastCode returns the code of the newest message of kind sent to
// username: what a test types after "check your email". ok is false
// when there is none.
func (p *Pool) LastCode(username string, kind MessageKind) (code string, ok bool) {
	msgs := p.Messages(MessageFilter{Username: username, Kind: kind})
	if len(msgs) == 0 {
		return "", false
	}
	return msgs[len(msgs)-1].Code, true
}

// destination is where a message goes: a medium and the attribute that
// holds its address.
type destination struct {
	medium    string // MediumEmail or MediumSMS
	attribute string // "email" or "phone_number"
	address   string
}

// emailOf and phoneOf are the destinations of a user's attributes; the
// address is empty when the attribute is.
func emailOf(u *user) destination {
	return destination{medium: MediumEmail, attribute: "email", address: u.Attributes["email"]}
}

func phoneOf(u *user) destination {
	return destination{medium: MediumSMS, attribute: "phone_number", address: u.Attributes["phone_number"]}
}

// codeDeliveryDetails is CodeDeliveryDetailsType: where a code went, the
// address masked.
type codeDeliveryDetails struct {
	Destination    string `json:"Destination"`
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

// deliverLocked puts a message to u at d in the outbox and returns what
// the API answers about it. Every operation that sends a message calls
// it; text holds the code already.
func (p *Pool) deliverLocked(u *user, kind MessageKind, d destination, code, text string) *codeDeliveryDetails {
	return p.deliverWithSubjectLocked(u, kind, d, code, text, "")
}

// deliverWithSubjectLocked is deliverLocked for an email with a subject.
func (p *Pool) deliverWithSubjectLocked(u *user, kind MessageKind, d destination, code, text, subject string) *codeDeliveryDetails {
	m := Message{
		PoolID: p.poolID, Username: u.Username, Kind: kind, DeliveryMedium: d.medium,
		Destination: d.address, Code: code, Message: text, Subject: subject, Time: p.now(),
	}
	if p.held != nil {
		// Held for the custom message trigger (custommessage.go).
		p.held.msgs = append(p.held.msgs, heldMessage{msg: m, user: u.snapshot()})
	} else {
		p.appendOutboxLocked(m)
	}
	return &codeDeliveryDetails{Destination: mask(d), DeliveryMedium: d.medium, AttributeName: d.attribute}
}

// appendOutboxLocked puts m in the outbox, the oldest messages going
// past maxOutbox.
func (p *Pool) appendOutboxLocked(m Message) {
	p.outbox = append(p.outbox, m)
	if n := len(p.outbox) - maxOutbox; n > 0 {
		p.outbox = slices.Delete(p.outbox, 0, n)
	}
}

// mask hides most of an address as Cognito's CodeDeliveryDetails do: the
// first letter of each part of an email address ("a***@e***"), the last
// four digits of a phone number ("+*******9934"). The documented examples
// differ in the number of stars; the docs do not fix it.
func mask(d destination) string {
	if d.medium == MediumEmail {
		local, domain, _ := strings.Cut(d.address, "@")
		return firstRune(local) + "***@" + firstRune(domain) + "***"
	}
	digits := []rune(d.address)
	keep := min(4, len(digits))
	var b strings.Builder
	for i, r := range digits {
		switch {
		case i == 0 && r == '+', i >= len(digits)-keep:
			b.WriteRune(r)
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// OutboxPath is where ServeHTTP answers the outbox as JSON: a GET with
// optional filters ?pool=ID&username=NAME&kind=KIND.
const OutboxPath = "/local/outbox"

// serveOutbox answers GET /local/outbox: the messages of every pool of
// the service (or of the pool ?pool= names) as a JSON array, each pool's
// oldest first. Only requests whose Host names a loopback address are
// answered, so that a web page whose name was rebound to 127.0.0.1
// cannot read the codes and temporary passwords.
func (s *Service) serveOutbox(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	if !loopbackHost(r.Host) {
		http.Error(w, errForeignHost, http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	f := MessageFilter{Username: q.Get("username"), Kind: MessageKind(q.Get("kind"))}
	msgs := []Message{}
	for _, p := range s.Pools() {
		if pool := q.Get("pool"); pool == "" || pool == p.poolID {
			msgs = append(msgs, p.Messages(f)...)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(msgs)
}
