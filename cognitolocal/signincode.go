package cognitolocal

// Sign-in codes by email and SMS: the one-time codes of choice-based
// sign-in (EMAIL_OTP, SMS_OTP) and the codes of SMS and email MFA,
// delivered to the pool's outbox as MessageAuthentication.

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// otpFactor sends an eight-digit code for factor, EMAIL_OTP to the
// user's email address or SMS_OTP to their phone number, and answers the
// challenge of that name. An unknown username gets the same answer, with
// no message sent and no code that works; so do, when the client hides
// users, a user without the address (availableFirstFactorsLocked offers
// them the factor, as it does every name) and a disabled user.
func (p *Pool) otpFactor(c AppClient, username, factor string, st signInStep) (stepResult, error) {
	p.mu.Lock()
	u := p.userNamed(username)
	var enabled, reachable bool
	canonical := p.hiddenNameLocked(username)
	if u != nil {
		enabled, canonical = u.Enabled, u.Username
		reachable = otpDestination(u, factor).address != ""
	}
	p.mu.Unlock()
	s := authSession{challenge: factor, typed: username, source: st.source, hosted: st.hosted, device: st.device, firstFactor: true}
	var held *heldMessages
	params := map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": MediumEmail}
	if factor == firstSMSOTP {
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = MediumSMS
	}
	switch {
	case u == nil && !c.hidesUsers():
		return stepResult{}, errUserNotFound
	case u != nil && !enabled && !c.hidesUsers():
		return stepResult{}, errUserDisabled
	case u == nil, !enabled, !reachable && c.hidesUsers():
		// A disabled user too: "User is disabled." would tell the name
		// from an unknown one to a caller with no secret of the user's,
		// where the password flows say it only after the right
		// password. No code is sent, and none signs in.
		s.code = digest(randomToken(16))
		params["CODE_DELIVERY_DESTINATION"] = mask(p.decoyDestination(username, factor))
	default:
		// An UNCONFIRMED user may sign in so: the right code confirms
		// the user and verifies the address (answerCode).
		held = &heldMessages{clientID: c.ClientID}
		code, _, dest, address, err := p.sendSignInCode(held, canonical, factor, signInCodeDigits)
		if err != nil {
			return stepResult{}, err
		}
		s.code, s.sentTo = digest(code), address
		params["CODE_DELIVERY_DESTINATION"] = dest
	}
	params["USERNAME"] = canonical
	return stepResult{out: &initiateAuthOutput{ChallengeName: factor, Session: p.newSession(c, canonical, s), ChallengeParameters: params, held: held}}, nil
}

// otpDestination is where a code for factor goes to u: the phone number
// for SMS_MFA and SMS_OTP, else the email address.
func otpDestination(u *user, factor string) destination {
	if factor == factorSMS || factor == firstSMSOTP {
		return phoneOf(u)
	}
	return emailOf(u)
}

// decoyDestination is where a code for a name the pool cannot send one
// to would have gone: stable for the name, as a real user's address is,
// and shaped like one once masked. A name that is itself an email
// address or phone number, as in pools that sign in with one, is its
// own destination, as a real user's would be; another gets an address
// whose masked letters, or a +1 number whose last four digits, come from
// the name's digest. The name is taken as the pool keys its users, so
// that, as a user's code goes to one address whatever case the name is
// typed in, a pool that ignores case makes up one destination for
// "Nobody" and "nobody".
func (p *Pool) decoyDestination(typed, factor string) destination {
	username := p.userKey(typed)
	sum := sha256.Sum256([]byte(p.PoolID() + "\x00" + username))
	if factor != firstSMSOTP {
		if isEmail(username) {
			return destination{medium: MediumEmail, address: username}
		}
		return destination{medium: MediumEmail, address: username + "@" + string(rune('a'+sum[4]%26)) + "mail.example"}
	}
	if isPhone(username) {
		return destination{medium: MediumSMS, address: username}
	}
	return destination{medium: MediumSMS, address: fmt.Sprintf("+1555555%04d", binary.BigEndian.Uint32(sum[:4])%10000)}
}

// sendSignInCode sends a sign-in code of digits digits for factor
// (SMS_MFA and SMS_OTP to the phone number, EMAIL_OTP to the email
// address) to the
// outbox and returns it with the medium, the masked destination and the
// address it went to.
func (p *Pool) sendSignInCode(h *heldMessages, username, factor string, digits int) (code, medium, dest, address string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.holdMessagesLocked(h)()
	u, err := p.userLocked(username)
	if err != nil {
		return "", "", "", "", err
	}
	d := otpDestination(u, factor)
	if d.address == "" {
		return "", "", "", "", apiErr(codeInvalidParameter, "The user has no "+d.attribute+" to send a code to.")
	}
	code, details := p.sendMFACodeLocked(u, d, factor, digits)
	return code, details.DeliveryMedium, details.Destination, d.address, nil
}

// sendMFACodeLocked sends a new code of digits digits for factor to d, in
// the pool's MFA message when it has one, and returns it with the
// delivery details.
func (p *Pool) sendMFACodeLocked(u *user, d destination, factor string, digits int) (string, *codeDeliveryDetails) {
	code := fmt.Sprintf("%0*d", digits, randIntn(pow10(digits)))
	text, subject := "Your sign-in code is "+code+".", ""
	// SmsAuthenticationMessage is the message "sent to users with the
	// code they must sign in with" (API reference, SmsMfaConfigType), and
	// EmailMfaConfiguration's Message the one "with codes for MFA and
	// sign-in with email OTPs" (EmailMfaConfigType): each carries the MFA
	// code and the first factor's one-time password alike.
	// Its Subject is that of "the email messages that your user pool sends
	// to users with codes for MFA and email OTP sign-in".
	cfg := p.MFAConfig()
	if (factor == factorSMS || factor == firstSMSOTP) && cfg.SMSMessage != "" {
		text = replaceCode(cfg.SMSMessage, code)
	} else if factor == factorEmail {
		if cfg.EmailMessage != "" {
			text = replaceCode(cfg.EmailMessage, code)
		}
		subject = cfg.EmailSubject
	}
	return code, p.deliverWithSubjectLocked(u, MessageAuthentication, d, code, text, subject)
}

// replaceCode puts code in a message template's {####}.
func replaceCode(template, code string) string { return strings.ReplaceAll(template, "{####}", code) }

// signInCodeDigits is the length of a one-time sign-in code by email or
// SMS: Cognito sends eight digits for the first factor, six for MFA.
const signInCodeDigits = 8

func pow10(n int) int {
	out := 1
	for range n {
		out *= 10
	}
	return out
}
