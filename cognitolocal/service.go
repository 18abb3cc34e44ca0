package cognitolocal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Service is the user-pool service of one address: any number of pools,
// each its own issuer BaseURL/PoolID with its own keys, JWKS and discovery
// document, behind one handler. The JSON API finds a request's pool by its
// UserPoolId, else by its ClientId, else by the issuer of its AccessToken,
// else by the pool holding its challenge Session;
// Managed Login by the client_id (or the bearer token of /oauth2/userInfo).
// Every Pool belongs to one Service: New makes one for its pool, and
// CreateUserPool over the JSON API adds pools to it. It is safe for
// concurrent use.
type Service struct {
	baseURL  string
	now      func() time.Time
	logger   *slog.Logger
	onChange func()

	mu      sync.Mutex
	pools   []*Pool // in creation order: the first answers requests that name no pool
	lambdas map[string]Lambda
	save    func() error

	// domainMu makes CreateUserPoolDomain's check that no pool has a
	// domain name and the pool's taking it one step.
	domainMu sync.Mutex
}

// Service returns the service that serves the pool, and any pool created
// beside it.
func (p *Pool) Service() *Service { return p.svc }

// Pool returns the pool with the given ID.
func (s *Service) Pool(id string) (*Pool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pools {
		if p.poolID == id {
			return p, true
		}
	}
	return nil, false
}

// Pools returns the pools in the order they were created.
func (s *Service) Pools() []*Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pools)
}

// CreatePool creates a pool beside the others, as New does (the default
// app client included); cfg's BaseURL, Now, Logger and OnChange are the
// service's and are ignored. An empty PoolID gets a Cognito-shaped one in
// us-east-1.
func (s *Service) CreatePool(cfg Config) (*Pool, error) {
	if cfg.PoolID == "" {
		cfg.PoolID = newPoolID("us-east-1")
	}
	p, err := makePool(s, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := p.CreateAppClient(defaultClient()); err != nil {
		return nil, err
	}
	if err := s.add(p); err != nil {
		return nil, err
	}
	return p, nil
}

// add registers p, refusing a second pool of the same ID.
func (s *Service) add(p *Pool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.pools {
		if q.poolID == p.poolID {
			return fmt.Errorf("cognitolocal: a pool with ID %s already exists", p.poolID)
		}
	}
	s.pools = append(s.pools, p)
	return nil
}

// DeletePool removes the pool id and everything in it. Deletion
// protection does not apply here: it guards the JSON API.
func (s *Service) DeletePool(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.pools)
	s.pools = slices.DeleteFunc(s.pools, func(p *Pool) bool { return p.poolID == id })
	if len(s.pools) == n {
		return errPoolNotFound
	}
	return nil
}

// SetLambda maps a Lambda function's ARN to a local stand-in: a pool
// whose LambdaConfig names the ARN for a trigger (PreSignUp,
// PostConfirmation, PreAuthentication, PostAuthentication,
// DefineAuthChallenge, CreateAuthChallenge, VerifyAuthChallengeResponse, or
// PreTokenGenerationConfig; set with CreateUserPool or UpdateUserPool)
// invokes l as Cognito would invoke the function. A Go trigger (Trigger,
// PreSignUpTrigger, …) answers its own trigger only; an *HTTPFunction
// (NewHTTPFunction) answers every trigger, as one Lambda function can. A
// nil l removes the mapping.
func (s *Service) SetLambda(arn string, l Lambda) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lambdas == nil {
		s.lambdas = map[string]Lambda{}
	}
	if l == nil || isNilTrigger(l) {
		delete(s.lambdas, arn)
		return
	}
	s.lambdas[arn] = l
}

func (s *Service) lambda(arn string) Lambda {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lambdas[arn]
}

// SetSave makes save run after every HTTP request that changed the
// service's state and before its answer is sent, so that an answer the
// client saw is never lost: a server saves its state file there. If save
// fails, the client gets a 500 answer instead (the change is made but not
// saved). It runs on the request's goroutine with no lock held: it may
// call SaveState.
func (s *Service) SetSave(save func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.save = save
}

func (s *Service) saveHook() func() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.save
}

// first is the pool that answers requests naming no pool: the oldest.
func (s *Service) first() *Pool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pools) == 0 {
		return nil
	}
	return s.pools[0]
}

// poolOfClient returns the pool of an app client. Client IDs the service
// generates are unique; of two pools given the same ID through the Go
// API, the older answers.
func (s *Service) poolOfClient(clientID string) *Pool {
	for _, p := range s.Pools() {
		if _, ok := p.AppClient(clientID); ok {
			return p
		}
	}
	return nil
}

// poolOfToken returns the pool whose issuer a JWT names, read without
// verification: the pool then verifies the token itself.
func (s *Service) poolOfToken(token string) *Pool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(b, &claims) != nil {
		return nil
	}
	for _, p := range s.Pools() {
		if p.Issuer() == claims.Iss {
			return p
		}
	}
	return nil
}

// poolOfSession returns the pool holding a challenge session.
func (s *Service) poolOfSession(session string) *Pool {
	key := digest(session)
	for _, p := range s.Pools() {
		p.mu.Lock()
		_, ok := p.sessions[key]
		p.mu.Unlock()
		if ok {
			return p
		}
	}
	return nil
}

// poolIDAlphabet is the alphabet of the 9 characters after a pool ID's
// region.
const poolIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newPoolID returns a pool ID of Cognito's form: the region, an
// underscore and 9 letters and digits.
func newPoolID(region string) string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = poolIDAlphabet[int(b[i])%len(poolIDAlphabet)]
	}
	return region + "_" + string(b[:])
}
