package cognitolocal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
)

// Device authentication at sign-in. A sign-in that presents a confirmed
// device's DEVICE_KEY (InitiateAuth's AuthParameters or the
// PASSWORD_VERIFIER answer) ends, after the password and any MFA code,
// with the DEVICE_SRP_AUTH challenge; the client answers with SRP_A, the
// pool with DEVICE_PASSWORD_VERIFIER (SRP_B, SALT, SECRET_BLOCK), and the
// client proves the device password with the same SRP-6a as
// USER_SRP_AUTH (srp.go) over the device group key in place of the pool
// name and the device key in place of the user: x = H(salt ‖
// H(DeviceGroupKey ‖ DeviceKey ‖ ":" ‖ password)), signature HMAC(K,
// DeviceGroupKey ‖ DeviceKey ‖ SECRET_BLOCK ‖ TIMESTAMP), as
// amazon-cognito-identity-js (CognitoUser.getDeviceResponse) and Amplify
// (handleDeviceSRPAuth) compute them. A remembered device in a pool with
// ChallengeRequiredOnNewDevice skips the MFA code (devices.go). A sign-in
// that presents no device, in a pool that tracks devices, gets a new
// device key in NewDeviceMetadata.

// newDeviceMetadata is NewDeviceMetadataType.
type newDeviceMetadata struct {
	DeviceKey      string `json:"DeviceKey"`
	DeviceGroupKey string `json:"DeviceGroupKey"`
}

// deviceExchange is the pool's half of a DEVICE_PASSWORD_VERIFIER
// challenge, kept in its session.
type deviceExchange struct {
	key, block []byte
	groupKey   string
}

// presentedDevice reads the DEVICE_KEY a sign-in of username through c
// presents: "" for none, or in a pool that tracks no devices (which
// ignores it); errDeviceNotFound for a key that is not a confirmed device
// of the user, so that the clients drop it and sign in again without it.
// An unknown username gets errDeviceNotFound too through a client that
// hides users: a known user's wrong key is answered so before any trigger
// runs, and the same answer keeps the two from being told apart. Through
// a client that does not hide users it passes, and its sign-in fails with
// UserNotFoundException.
func (p *Pool) presentedDevice(c AppClient, username, key string) (string, error) {
	if key == "" || p.devices() == nil {
		return "", nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(username)
	if u == nil {
		if c.hidesUsers() {
			return "", errDeviceNotFound
		}
		return "", nil
	}
	if _, err := u.deviceLocked(key); err != nil {
		return "", err
	}
	return key, nil
}

// tagSRPDevice records on a PASSWORD_VERIFIER exchange the device its
// InitiateAuth presented.
func (p *Pool) tagSRPDevice(out *initiateAuthOutput, key string) {
	if key == "" || out == nil {
		return
	}
	p.mu.Lock()
	if ex := p.auth.srp[digest(out.ChallengeParameters["SECRET_BLOCK"])]; ex != nil {
		ex.device = key
	}
	p.mu.Unlock()
}

// passwordVerifierDevice reads the device of a PASSWORD_VERIFIER answer:
// its DEVICE_KEY, else the one its InitiateAuth presented. It runs before
// the proof is checked and leaves the exchange in place, since
// amazon-cognito-identity-js answers a ResourceNotFoundException about
// the device by sending the same proof again without DEVICE_KEY. The
// decoy exchange of an unknown username (no canonical username) answers a
// DEVICE_KEY as presentedDevice does.
func (p *Pool) passwordVerifierDevice(c AppClient, r map[string]string) (string, error) {
	p.mu.Lock()
	ex := p.auth.srp[digest(r["PASSWORD_CLAIM_SECRET_BLOCK"])]
	var username, initial string
	if ex != nil {
		username, initial = ex.username, ex.device
		if username == "" {
			username = ex.typed
		}
	}
	p.mu.Unlock()
	if r["DEVICE_KEY"] == "" || username == "" {
		return initial, nil
	}
	return p.presentedDevice(c, username, r["DEVICE_KEY"])
}

// finishAPISignIn ends a sign-in of the JSON API whose factors passed:
// with DEVICE_SRP_AUTH when it presented a device not yet proved, else
// with tokens, and a new device key when it presented none in a pool
// that tracks devices.
func (p *Pool) finishAPISignIn(ctx context.Context, c AppClient, res stepResult, metadata map[string]string) (*initiateAuthOutput, error) {
	if res.st.device != "" && !res.deviceProved {
		s := authSession{challenge: "DEVICE_SRP_AUTH", typed: res.st.typed, source: res.source, admin: res.st.admin, device: res.st.device}
		session := p.newSession(c, res.user.username, s)
		p.linkDeviceSession(res.answered, session)
		return &initiateAuthOutput{
			ChallengeName:       "DEVICE_SRP_AUTH",
			Session:             session,
			ChallengeParameters: map[string]string{"USERNAME": res.user.username},
		}, nil
	}
	deviceKey := res.st.device
	// The challenge answer's metadata goes to the trigger, not
	// InitiateAuth's (authtriggers.go).
	var answerMetadata map[string]string
	if res.fromAnswer {
		answerMetadata = metadata
	}
	if err := p.postAuthentication(ctx, c, res.user, deviceKey == "" && p.devices() != nil, answerMetadata); err != nil {
		return nil, err
	}
	var meta *newDeviceMetadata
	if deviceKey == "" && p.devices() != nil {
		p.mu.Lock()
		if u := p.userNamed(res.user.username); u != nil {
			d := p.newDeviceLocked(u)
			meta = &newDeviceMetadata{DeviceKey: d.Key, DeviceGroupKey: d.GroupKey}
			deviceKey = d.Key
		}
		p.mu.Unlock()
	}
	t, err := p.signInOnDevice(ctx, c, res.user, []string{scopeAdmin}, res.source, metadata, deviceKey)
	if err != nil {
		return nil, err
	}
	out := authResult(t)
	out.AuthenticationResult.NewDeviceMetadata = meta
	return out, nil
}

// linkDeviceSession records on the answered session (an MFA code's) the
// DEVICE_SRP_AUTH session its answer led to. amazon-cognito-identity-js
// answers DEVICE_SRP_AUTH after an MFA code with the MFA challenge's
// Session rather than the one the answer carried (CognitoUser.sendMFACode
// calls getDeviceResponse without taking the new Session), which Cognito
// accepts: it did not require a session on DEVICE_SRP_AUTH at all
// (aws-amplify/aws-sdk-android#2337 began sending one ahead of "a future
// version of the Cognito API"). deviceSession follows the link.
func (p *Pool) linkDeviceSession(answered, next string) {
	if answered == "" {
		return
	}
	p.mu.Lock()
	if s := p.sessions[digest(answered)]; s != nil {
		s.deviceNext = next
	}
	p.mu.Unlock()
}

// deviceSession is the session a DEVICE_SRP_AUTH answer carrying token
// answers: token's own, or the DEVICE_SRP_AUTH session an answer of
// token led to.
func (p *Pool) deviceSession(token string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[digest(token)]; s != nil && s.used && s.deviceNext != "" {
		return s.deviceNext
	}
	return token
}

// errOtherDevice answers a device challenge naming a device other than
// the one its sign-in presented.
var errOtherDevice = apiErr(codeNotAuthorized, "DEVICE_KEY is not the device this sign-in presented.")

// answerDevice answers DEVICE_SRP_AUTH (with SRP_A) and
// DEVICE_PASSWORD_VERIFIER (with the proof). Each session takes one
// answer, right or wrong.
func (p *Pool) answerDevice(c AppClient, in challengeInput) (stepResult, error) {
	r := in.responses
	if in.name == "DEVICE_SRP_AUTH" {
		in.session = p.deviceSession(in.session)
	}
	s, err := p.openAnsweredSession(c, in)
	if err != nil {
		return stepResult{}, err
	}
	if r["DEVICE_KEY"] == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter DEVICE_KEY")
	}
	if r["DEVICE_KEY"] != s.device {
		return stepResult{}, errOtherDevice
	}
	if in.name == "DEVICE_SRP_AUTH" {
		return p.answerDeviceSRP(c, in.session, s, r)
	}
	return p.answerDevicePassword(in.session, s, r, in.sourceIP)
}

// answerDeviceSRP starts the device's SRP exchange from the client's
// SRP_A and answers DEVICE_PASSWORD_VERIFIER.
func (p *Pool) answerDeviceSRP(c AppClient, token string, s authSession, r map[string]string) (stepResult, error) {
	if r["SRP_A"] == "" {
		return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter SRP_A")
	}
	if err := p.claimSession(token); err != nil {
		return stepResult{}, err
	}
	a, ok := parseSRPA(r["SRP_A"])
	if !ok {
		return stepResult{}, errSRPA
	}
	p.mu.Lock()
	var ver srpVerifier
	var group string
	u, err := p.userLocked(s.username)
	if err == nil {
		var d *device
		if d, err = u.deviceLocked(s.device); err == nil {
			ver, group = *d.Verifier, d.GroupKey
		}
	}
	p.mu.Unlock()
	if err != nil {
		return stepResult{}, err
	}
	srv, ok := srpStart(&ver, a)
	if !ok {
		return stepResult{}, errSRPA
	}
	block := make([]byte, 96)
	_, _ = rand.Read(block)
	blockText := base64.StdEncoding.EncodeToString(block)
	next := s
	next.challenge, next.used, next.attempts = "DEVICE_PASSWORD_VERIFIER", false, 0
	next.deviceSRP = &deviceExchange{key: srv.key, block: block, groupKey: group}
	session := p.newSession(c, s.username, next)
	return stepResult{out: &initiateAuthOutput{
		ChallengeName: "DEVICE_PASSWORD_VERIFIER",
		Session:       session,
		ChallengeParameters: map[string]string{
			"SRP_B": srv.B.Text(16), "SALT": ver.Salt, "SECRET_BLOCK": blockText,
			"USERNAME": s.username, "DEVICE_KEY": s.device,
		},
	}}, nil
}

// answerDevicePassword checks the device's proof: its parameters, the
// timestamp's form and age, the SECRET_BLOCK of this session and the
// signature. A right proof marks the device authenticated now and ends
// the sign-in.
func (p *Pool) answerDevicePassword(token string, s authSession, r map[string]string, ip string) (stepResult, error) {
	for _, name := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if r[name] == "" {
			return stepResult{}, apiErr(codeInvalidParameter, "Missing required parameter "+name)
		}
	}
	ts, ok := parseSRPTimestamp(r["TIMESTAMP"])
	if !ok {
		return stepResult{}, apiErr(codeInvalidParameter, "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
	}
	if err := p.claimSession(token); err != nil {
		return stepResult{}, err
	}
	ex := s.deviceSRP
	block, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
	if ex == nil || err != nil || !hmac.Equal(block, ex.block) {
		return stepResult{}, errBadCredentials
	}
	if d := p.now().Sub(ts); d > srpClockSkew || d < -srpClockSkew {
		return stepResult{}, errBadCredentials
	}
	sig, err := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SIGNATURE"])
	want := srpSignature(ex.key, ex.groupKey, s.device, ex.block, formatSRPTimestamp(ts))
	if err != nil || !hmac.Equal(sig, want) {
		return stepResult{}, errBadCredentials
	}
	p.mu.Lock()
	u, err := p.userLocked(s.username)
	if err == nil {
		var d *device
		// The device may have been forgotten during the exchange.
		if d, err = u.deviceLocked(s.device); err == nil {
			d.authenticatedFrom(ip, p.now())
		}
	}
	p.mu.Unlock()
	if err != nil {
		return stepResult{}, err
	}
	st := signInStep{typed: s.typed, source: s.source, admin: s.admin, device: s.device}
	res, err := p.signedIn(s.username, st)
	res.deviceProved = err == nil
	return res, err
}
