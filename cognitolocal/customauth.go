package cognitolocal

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/events"
)

// The custom authentication flow (developer guide, "Custom
// authentication challenge Lambda triggers" and the pages of its three
// triggers): InitiateAuth or AdminInitiateAuth with AuthFlow CUSTOM_AUTH
// runs the define auth challenge trigger, which looks at the challenges
// answered so far (request.session) and either issues tokens, fails the
// sign-in, or names the next challenge. A CUSTOM_CHALLENGE runs the
// create auth challenge trigger: its publicChallengeParameters go to the
// client as ChallengeParameters, its privateChallengeParameters stay in
// the pool for the verify auth challenge response trigger, which judges
// the ANSWER of RespondToAuthChallenge; the result joins the session and
// the define trigger runs again. Each round's Session answers once, within
// the client's AuthSessionValidity. A sign-in that starts with SRP
// (CHALLENGE_NAME SRP_A) is in customsrp.go.

// DefineAuthChallengeTrigger is a define auth challenge trigger, in the
// shape lambda.Start accepts.
type DefineAuthChallengeTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error)

// CreateAuthChallengeTrigger is a create auth challenge trigger, in the
// shape lambda.Start accepts. aws-lambda-go's event has no
// request.userNotFound: an HTTPFunction receives it.
type CreateAuthChallengeTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error)

// VerifyAuthChallengeResponseTrigger is a verify auth challenge response
// trigger, in the shape lambda.Start accepts. Its request's
// challengeAnswer is the ANSWER string. aws-lambda-go's event has no
// request.userNotFound: an HTTPFunction receives it.
type VerifyAuthChallengeResponseTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error)

func (t DefineAuthChallengeTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}
func (t CreateAuthChallengeTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}
func (t VerifyAuthChallengeResponseTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}

// LambdaConfig member names and trigger sources of the custom flow.
const (
	lambdaDefineAuth = "DefineAuthChallenge"
	lambdaCreateAuth = "CreateAuthChallenge"
	lambdaVerifyAuth = "VerifyAuthChallengeResponse"

	sourceDefineAuth = "DefineAuthChallenge_Authentication"
	sourceCreateAuth = "CreateAuthChallenge_Authentication"
	sourceVerifyAuth = "VerifyAuthChallengeResponse_Authentication"

	challengeCustom = "CUSTOM_CHALLENGE"
)

// maxCustomRounds bounds the challenges of one custom sign-in. The
// developer guide states no such number; the bound keeps a define trigger
// that never decides from growing a session without end. Past it the
// sign-in fails as a failAuthentication would.
const maxCustomRounds = 20

var (
	// errCustomAuthNotConfigured is Cognito's answer to CUSTOM_AUTH in a
	// pool without the challenge triggers (as clients quote it).
	errCustomAuthNotConfigured = apiErr(codeInvalidParameter, "Custom auth lambda trigger is not configured for the user pool.")
	errCustomAuthNotEnabled    = apiErr(codeInvalidParameter, "CUSTOM_AUTH flow not enabled for this client")
	// errDefineUndecided answers a define trigger that named no next
	// step the pool can take.
	// errCustomChallengeName answers an AuthParameters CHALLENGE_NAME
	// the custom flow cannot start with.
	errCustomChallengeName = apiErr(codeInvalidParameter, "CHALLENGE_NAME must be SRP_A or CUSTOM_CHALLENGE.")
	errDefineUndecided     = apiErr(codeInvalidLambdaResp, "DefineAuthChallenge answered no next step: set issueTokens, failAuthentication, or challengeName CUSTOM_CHALLENGE (PASSWORD_VERIFIER only after SRP_A).")
)

// customAuth is what a custom sign-in keeps between its rounds: the
// challenges answered so far, and the current challenge's private
// parameters and metadata, which never leave the pool but for the verify
// trigger.
type customAuth struct {
	history  []events.CognitoEventUserPoolsChallengeResult
	private  map[string]string
	metadata string
	// notFound marks the sign-in of a name no user has, run through a
	// client that prevents user existence errors; or of a user who may
	// not sign in (disabled, unconfirmed, reset), run as a name no user
	// has, whose refusal is told only after the right password.
	notFound bool
	refusal  error
}

// customSignIn is one custom sign-in between two rounds.
type customSignIn struct {
	c     AppClient
	typed string
	// username is the user's canonical name, or when notFound the name
	// a user's would look like (hiddenNameLocked).
	username string
	admin    bool
	state    customAuth
	// fromAnswer marks a round that a challenge answer led to, not
	// InitiateAuth; answered is the answer's session. metadata is the
	// operation's ClientMetadata, which the challenge triggers receive
	// only from an answer.
	fromAnswer bool
	answered   string
	metadata   map[string]string
	// srpA is the SRP_A of a sign-in that began with CHALLENGE_NAME SRP_A,
	// until the define trigger asks for PASSWORD_VERIFIER (customsrp.go).
	srpA string
	// device is the remembered device the sign-in presented (DEVICE_KEY),
	// proved by DEVICE_SRP_AUTH once the define trigger issues tokens.
	device string
}

// triggerMetadata is the clientMetadata of the round's challenge
// triggers.
func (cs customSignIn) triggerMetadata() map[string]string {
	if !cs.fromAnswer {
		return map[string]string{}
	}
	return metadataEvent(cs.metadata)
}

// initiateCustomAuth starts CUSTOM_AUTH for InitiateAuth or, admin, for
// AdminInitiateAuth: the client's flow, USERNAME and SECRET_HASH, the
// define trigger's presence, pre authentication, the user; then the first
// round. The define and create triggers of this first round get no
// ClientMetadata: "The request that invokes the define auth challenge
// function doesn't include data passed in the ClientMetadata parameter in
// AdminInitiateAuth and InitiateAuth".
func (p *Pool) initiateCustomAuth(ctx context.Context, c AppClient, params, metadata map[string]string, admin bool) (*initiateAuthOutput, error) {
	if !c.allowsFlow("ALLOW_CUSTOM_AUTH") && !c.allowsFlow("CUSTOM_AUTH_FLOW_ONLY") {
		return nil, errCustomAuthNotEnabled
	}
	typed := params["USERNAME"]
	if typed == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME")
	}
	if err := c.checkSecretHash(typed, params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	if l, err := p.lambda(lambdaDefineAuth); err != nil || l == nil {
		return nil, cmp.Or[error](err, errCustomAuthNotConfigured)
	}
	srpA := ""
	switch params["CHALLENGE_NAME"] {
	case "", challengeCustom:
	case "SRP_A":
		if srpA = params["SRP_A"]; srpA == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter SRP_A")
		}
	default:
		return nil, errCustomChallengeName
	}
	// A key that is no device of the user is refused before any trigger
	// runs, as in the password flows (presentedDevice).
	dev, err := p.presentedDevice(c, typed, params["DEVICE_KEY"])
	if err != nil {
		return nil, err
	}
	if err := p.preAuthentication(ctx, c, typed, metadata); err != nil {
		return nil, err
	}
	cs, err := p.customStart(c, typed, admin)
	if err != nil {
		return nil, err
	}
	cs.metadata, cs.device = metadata, dev
	if srpA != "" {
		// "Amazon Cognito invokes your define auth challenge Lambda
		// trigger with an initial session that contains challengeName:
		// SRP_A and challengeResult: true."
		cs.srpA = srpA
		cs.state.history = append(cs.state.history, events.CognitoEventUserPoolsChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true})
	}
	return p.customRound(ctx, cs)
}

// customStart finds the user signing in: an unknown name is
// UserNotFoundException, or for a client that prevents user existence
// errors a sign-in whose triggers see userNotFound true ("Managing user
// existence error responses"), named as a user's would be
// (hiddenNameLocked) so that its challenge's USERNAME tells it from no
// user's; a disabled, unconfirmed or reset user is refused as the
// password flows refuse them. Such a client tells the refusal only after
// the right password, as the password flows do: refusing before any
// proof would tell the name is a user's, so the sign-in runs as an
// unknown name's and a right password (PASSWORD_VERIFIER) gets the
// refusal (respondCustomSRP).
func (p *Pool) customStart(c AppClient, typed string, admin bool) (customSignIn, error) {
	cs := customSignIn{c: c, typed: typed, username: typed, admin: admin, state: customAuth{history: []events.CognitoEventUserPoolsChallengeResult{}}}
	p.mu.Lock()
	u := p.userNamed(typed)
	var enabled bool
	var status string
	if u != nil {
		cs.username, enabled, status = u.Username, u.Enabled, u.Status
	}
	hidden := p.hiddenNameLocked(typed)
	p.mu.Unlock()
	var refusal error
	switch {
	case u == nil && !c.hidesUsers():
		return cs, errUserNotFound
	case u == nil:
		cs.state.notFound, cs.username = true, hidden
		return cs, nil
	case !enabled:
		refusal = errUserDisabled
	case status == statusUnconfirmed:
		refusal = errNotConfirmed
	case status == statusResetRequired:
		refusal = errPasswordReset
	}
	if refusal != nil && c.hidesUsers() {
		cs.state.notFound, cs.state.refusal, cs.username = true, refusal, hidden
		return cs, nil
	}
	return cs, refusal
}

// customAttributes are the user's attributes for the round's events,
// read afresh; empty for a name no user has. A user gone or disabled
// since the sign-in began fails it (disabledMidway).
func (p *Pool) customAttributes(cs customSignIn) (map[string]string, error) {
	if cs.state.notFound {
		return map[string]string{}, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(cs.username)
	if u == nil {
		return nil, errBadCredentials
	}
	if !u.Enabled {
		return nil, cs.disabledMidway()
	}
	return u.snapshot().eventAttributes(), nil
}

// disabledMidway is the refusal of a sign-in whose user was disabled
// after it began. A client that hides users tells "User is disabled."
// only once the password is proved, as the password flows do (customStart
// at the start, signedIn after MFA); before that, the refusal would say
// the name is a user's, so the sign-in fails as a name no user has ends:
// "Incorrect username or password.".
func (cs customSignIn) disabledMidway() error {
	if cs.c.hidesUsers() && !cs.passwordProved() {
		return errBadCredentials
	}
	return errUserDisabled
}

// passwordProved reports whether the sign-in passed PASSWORD_VERIFIER
// (customsrp.go).
func (cs customSignIn) passwordProved() bool {
	return slices.ContainsFunc(cs.state.history, func(r events.CognitoEventUserPoolsChallengeResult) bool {
		return r.ChallengeName == "PASSWORD_VERIFIER" && r.ChallengeResult
	})
}

// customRound runs the define trigger on the session so far and does
// what it answers.
func (p *Pool) customRound(ctx context.Context, cs customSignIn) (*initiateAuthOutput, error) {
	attrs, err := p.customAttributes(cs)
	if err != nil {
		return nil, err
	}
	l, err := p.lambda(lambdaDefineAuth)
	if err != nil || l == nil {
		return nil, cmp.Or[error](err, errCustomAuthNotConfigured)
	}
	ev := events.CognitoEventUserPoolsDefineAuthChallenge{CognitoEventUserPoolsHeader: p.eventHeader(sourceDefineAuth, cs.c.ClientID, cs.username)}
	ev.Request.UserAttributes = attrs
	ev.Request.Session = sessionEvent(cs.state.history)
	ev.Request.ClientMetadata = cs.triggerMetadata()
	ev.Request.UserNotFound = cs.state.notFound
	if err := callLambda(ctx, lambdaDefineAuth, l, &ev); err != nil {
		return nil, err
	}
	r := ev.Response
	switch {
	case r.FailAuthentication:
		return nil, errBadCredentials
	case r.IssueTokens:
		if cs.state.notFound {
			// No user to sign in: the answer a wrong one gets.
			return nil, errBadCredentials
		}
		res, err := p.signedIn(cs.username, signInStep{typed: cs.typed, source: sourceAuthentication, admin: cs.admin, device: cs.device})
		if errors.Is(err, errUserDisabled) {
			// Disabled while the define trigger ran.
			err = cs.disabledMidway()
		}
		res.answered, res.fromAnswer = cs.answered, cs.fromAnswer
		return p.apiStep(ctx, cs.c, res, err, cs.metadata)
	case r.ChallengeName == challengeCustom:
		if len(cs.state.history) >= maxCustomRounds {
			return nil, errBadCredentials
		}
		return p.createChallenge(ctx, cs, attrs)
	case r.ChallengeName == "PASSWORD_VERIFIER" && cs.srpA != "" && len(cs.state.history) == 1:
		return p.customPasswordVerifier(cs)
	}
	return nil, errDefineUndecided
}

// createChallenge runs the create trigger for a CUSTOM_CHALLENGE and
// answers the challenge: its public parameters, USERNAME added as Cognito
// adds it, and a session that keeps the private ones.
func (p *Pool) createChallenge(ctx context.Context, cs customSignIn, attrs map[string]string) (*initiateAuthOutput, error) {
	l, err := p.lambda(lambdaCreateAuth)
	if err != nil || l == nil {
		return nil, cmp.Or[error](err, errCustomAuthNotConfigured)
	}
	ev := events.CognitoEventUserPoolsCreateAuthChallenge{CognitoEventUserPoolsHeader: p.eventHeader(sourceCreateAuth, cs.c.ClientID, cs.username)}
	ev.Request.UserAttributes = attrs
	ev.Request.ChallengeName = challengeCustom
	ev.Request.Session = sessionEvent(cs.state.history)
	ev.Request.ClientMetadata = cs.triggerMetadata()
	if cs.state.notFound {
		ctx = context.WithValue(ctx, userNotFoundKey{}, true)
	}
	if err := callLambda(ctx, lambdaCreateAuth, l, &ev); err != nil {
		return nil, err
	}
	public := maps.Clone(ev.Response.PublicChallengeParameters)
	if public == nil {
		// The guide says the parameters "should" describe the challenge,
		// not that they must: a function that sets none (its code went
		// out by email, say) still challenges the user.
		public = map[string]string{}
	}
	if _, ok := public["USERNAME"]; !ok {
		public["USERNAME"] = cs.username
	}
	st := cs.state
	st.private, st.metadata = maps.Clone(ev.Response.PrivateChallengeParameters), ev.Response.ChallengeMetadata
	session := p.newSession(cs.c, cs.username, authSession{challenge: challengeCustom, typed: cs.typed, source: sourceAuthentication, admin: cs.admin, device: cs.device, custom: &st})
	return &initiateAuthOutput{ChallengeName: challengeCustom, Session: session, ChallengeParameters: public}, nil
}

// respondCustom answers a CUSTOM_CHALLENGE: the session, for its client,
// user and operation, with the SECRET_HASH; the verify trigger judges
// ANSWER against the private parameters, the result joins the session,
// and the define trigger runs again. The session ends with the answer,
// right or wrong: a next challenge comes with a session of its own.
func (p *Pool) respondCustom(ctx context.Context, c AppClient, in *respondToAuthChallengeInput, admin bool) (*initiateAuthOutput, error) {
	r := in.ChallengeResponses
	if r["USERNAME"] == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME")
	}
	s, err := p.openAnsweredSession(c, challengeInput{name: challengeCustom, session: in.Session, responses: r, admin: admin})
	if err != nil {
		return nil, err
	}
	if _, ok := r["ANSWER"]; !ok {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter ANSWER")
	}
	if s.custom == nil {
		return nil, errSessionGone
	}
	// The answer's DEVICE_KEY (amazon-cognito-identity-js sends the key
	// it keeps), checked before the session ends so that the answer can
	// be sent again without it.
	dev := s.device
	if r["DEVICE_KEY"] != "" {
		if dev, err = p.presentedDevice(c, s.username, r["DEVICE_KEY"]); err != nil {
			return nil, err
		}
	}
	if err := p.claimSession(in.Session); err != nil {
		return nil, err
	}
	cs := customSignIn{c: c, typed: s.typed, username: s.username, admin: s.admin, state: *s.custom, fromAnswer: true, answered: in.Session, metadata: in.ClientMetadata, device: dev}
	attrs, err := p.customAttributes(cs)
	if err != nil {
		return nil, err
	}
	l, err := p.lambda(lambdaVerifyAuth)
	if err != nil || l == nil {
		return nil, cmp.Or[error](err, errCustomAuthNotConfigured)
	}
	ev := events.CognitoEventUserPoolsVerifyAuthChallenge{CognitoEventUserPoolsHeader: p.eventHeader(sourceVerifyAuth, c.ClientID, cs.username)}
	ev.Request.UserAttributes = attrs
	ev.Request.PrivateChallengeParameters = metadataEvent(cs.state.private)
	ev.Request.ChallengeAnswer = r["ANSWER"]
	ev.Request.ClientMetadata = cs.triggerMetadata()
	vctx := ctx
	if cs.state.notFound {
		vctx = context.WithValue(ctx, userNotFoundKey{}, true)
	}
	if err := callLambda(vctx, lambdaVerifyAuth, l, &ev); err != nil {
		return nil, err
	}
	cs.state.history = append(slices.Clone(cs.state.history), events.CognitoEventUserPoolsChallengeResult{
		ChallengeName: challengeCustom, ChallengeResult: ev.Response.AnswerCorrect, ChallengeMetadata: cs.state.metadata,
	})
	cs.state.private, cs.state.metadata = nil, ""
	return p.customRound(ctx, cs)
}

// sessionEvent is the session as the events carry it: an array, empty
// rather than null on the first round, of copies the trigger may change
// without changing the pool's.
func sessionEvent(h []events.CognitoEventUserPoolsChallengeResult) []*events.CognitoEventUserPoolsChallengeResult {
	out := make([]*events.CognitoEventUserPoolsChallengeResult, len(h))
	for i := range h {
		r := h[i]
		out[i] = &r
	}
	return out
}

// metadataEvent is a map as the events carry it: an object, empty rather
// than null, so that a function reading a key of it does not throw.
func metadataEvent(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
