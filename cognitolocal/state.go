package cognitolocal

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// The saved state: what SaveState writes and LoadState reads back.
//
// Format 2 (today's) is {"version": 2, "pools": [POOL...]}; format 1, the
// only one before pools could be created, is one POOL with "version": 1
// beside its members, and still loads. A POOL holds the pool's users,
// groups, app clients, custom attributes, refresh-token families and,
// from format 2, its settings and signing keys.

// stateVersion is the format SaveState writes.
const stateVersion = 2

// maxStateSize bounds what LoadState reads.
const maxStateSize = 64 << 20

// state is a saved document of either format: PoolID and the members of
// poolState at the top are format 1's.
type state struct {
	Version int         `json:"version"`
	Pools   []poolState `json:"pools,omitempty"`
	poolState
}

type poolState struct {
	PoolID   string             `json:"poolId,omitempty"`
	Settings *poolSettings      `json:"settings,omitempty"`
	Keys     []savedKey         `json:"signingKeys,omitempty"`
	Users    []*user            `json:"users,omitempty"`
	Groups   []*group           `json:"groups,omitempty"`
	Clients  []clientState      `json:"clients,omitempty"`
	Schema   []*customAttribute `json:"customAttributes,omitempty"`
	Families []*family          `json:"refreshTokenFamilies,omitempty"`
	// Refresh maps refresh-token digests to families.
	Refresh map[string]string `json:"refreshTokens,omitempty"`
	// Outbox holds the messages the pool would have sent, oldest first.
	Outbox []Message `json:"outbox,omitempty"`
	// ResourceServers and their scopes.
	ResourceServers []*ResourceServer `json:"resourceServers,omitempty"`
	// ImportJobs are the user import jobs, without their uploaded files.
	ImportJobs []*importJob `json:"importJobs,omitempty"`
}

// savedKey is a signing key: its kid and its PKCS #8 private key.
type savedKey struct {
	Kid    string `json:"kid"`
	PKCS8  []byte `json:"pkcs8"`
	Signer bool   `json:"signs,omitempty"`
}

type clientState struct {
	AppClient
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// SaveState writes the pool's users, groups, app clients, custom
// attributes, settings, signing keys and refresh-token families as JSON,
// for LoadState after a restart, so that users stay signed in; expired
// refresh tokens are dropped. Passwords are stored as salted PBKDF2
// hashes and refresh tokens as SHA-256 digests, but client secrets and
// signing keys are in the clear: keep the file private (mode 0600).
// Pending authorization codes and challenge sessions are not saved.
func (p *Pool) SaveState(w io.Writer) error {
	ps, err := p.poolState()
	if err != nil {
		return err
	}
	return writeState(w, state{Version: stateVersion, Pools: []poolState{ps}})
}

// SaveState writes the state of every pool of the service, as
// Pool.SaveState does for one.
func (s *Service) SaveState(w io.Writer) error {
	st := state{Version: stateVersion, Pools: []poolState{}}
	for _, p := range s.Pools() {
		ps, err := p.poolState()
		if err != nil {
			return err
		}
		st.Pools = append(st.Pools, ps)
	}
	return writeState(w, st)
}

func writeState(w io.Writer, st state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("cognitolocal: encoding state: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("cognitolocal: writing state: %w", err)
	}
	return nil
}

// poolState copies the pool's state under its lock.
func (p *Pool) poolState() (poolState, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	s := poolState{PoolID: p.poolID, Settings: p.conf(), Refresh: map[string]string{}}
	for _, k := range p.keys {
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			return poolState{}, fmt.Errorf("cognitolocal: encoding a signing key: %w", err)
		}
		s.Keys = append(s.Keys, savedKey{Kid: k.KeyID, PKCS8: der, Signer: k == p.key})
	}
	for _, k := range slices.Sorted(maps.Keys(p.users)) {
		u := *p.users[k]
		u.Attributes, u.Groups = maps.Clone(u.Attributes), slices.Clone(u.Groups)
		if u.MFA != nil {
			m := *u.MFA // changed in place at each TOTP sign-in
			u.MFA = &m
		}
		u.Codes, u.Attempts = cloneCodes(u.Codes), cloneAttempts(u.Attempts)
		s.Users = append(s.Users, &u)
	}
	for _, k := range slices.Sorted(maps.Keys(p.groups)) {
		g := *p.groups[k]
		s.Groups = append(s.Groups, &g)
	}
	for _, k := range slices.Sorted(maps.Keys(p.clients)) {
		c := p.clients[k]
		s.Clients = append(s.Clients, clientState{AppClient: cloneClient(*c), Created: c.created, Modified: c.modified})
	}
	for _, k := range slices.Sorted(maps.Keys(p.schema)) {
		a := *p.schema[k]
		s.Schema = append(s.Schema, &a)
	}
	// Expired families are left behind: nothing they issued is valid any
	// more, and the file would otherwise grow with every sign-in.
	for _, k := range slices.Sorted(maps.Keys(p.families)) {
		if f := p.families[k]; now.Before(f.Expires) {
			c := *f
			s.Families = append(s.Families, &c)
		}
	}
	for d, origin := range p.refresh {
		if f := p.families[origin]; f != nil && now.Before(f.Expires) {
			s.Refresh[d] = origin
		}
	}
	s.Outbox = slices.Clone(p.outbox)
	for _, k := range slices.Sorted(maps.Keys(p.resourceServers)) {
		rs := cloneResourceServer(*p.resourceServers[k])
		s.ResourceServers = append(s.ResourceServers, &rs)
	}
	for _, k := range slices.Sorted(maps.Keys(p.importJobs)) {
		j := *p.importJobs[k]
		j.file = nil
		s.ImportJobs = append(s.ImportJobs, &j)
	}
	return s, nil
}

// readState reads and checks the format of a saved document, returning
// its pools.
func readState(r io.Reader) ([]poolState, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStateSize+1))
	if err != nil {
		return nil, fmt.Errorf("cognitolocal: reading state: %w", err)
	}
	if len(b) > maxStateSize {
		return nil, fmt.Errorf("cognitolocal: state exceeds %d bytes", maxStateSize)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("cognitolocal: state is not valid JSON: %w", err)
	}
	switch s.Version {
	case 1:
		return []poolState{s.poolState}, nil
	case stateVersion:
		return s.Pools, nil
	}
	return nil, fmt.Errorf("cognitolocal: state format %d, want 1 or %d", s.Version, stateVersion)
}

// LoadState replaces the pool's users, groups, app clients, custom
// attributes, settings and refresh-token families with those SaveState
// wrote (format 1, from before pools could be created, loads too). The
// document must hold the pool's ID; the pool keeps its own signing keys.
// On any error the pool is left as it was.
func (p *Pool) LoadState(r io.Reader) error {
	pools, err := readState(r)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(pools, func(ps poolState) bool { return ps.PoolID == p.poolID })
	if i < 0 {
		return errors.New("cognitolocal: state belongs to another pool ID")
	}
	ld, err := pools[i].decode()
	if err != nil {
		return err
	}
	if err := p.svc.checkLoadedDomains(map[string]bool{p.poolID: true}, []pendingInstall{{p, ld}}); err != nil {
		return err
	}
	p.install(ld)
	return nil
}

// LoadState loads every pool SaveState wrote (a format 1 document holds
// one). A pool the service already has gets the saved users, groups,
// clients, settings and refresh tokens but keeps its signing keys, so that
// a key given in Config wins; a pool it has not is created with its saved
// keys. Pools not in the document stay. On any error the service is left
// as it was.
func (s *Service) LoadState(r io.Reader) error {
	pools, err := readState(r)
	if err != nil {
		return err
	}
	var installs []pendingInstall
	var created []*Pool
	seen := map[string]bool{}
	for _, ps := range pools {
		if seen[ps.PoolID] {
			return errors.New("cognitolocal: state has a pool twice")
		}
		seen[ps.PoolID] = true
		ld, err := ps.decode()
		if err != nil {
			return err
		}
		p, ok := s.Pool(ps.PoolID)
		if !ok {
			if len(ld.keys) == 0 {
				return errors.New("cognitolocal: state holds a pool this service does not have, without its signing keys: it belongs to another pool ID")
			}
			if p, err = makePool(s, Config{PoolID: ps.PoolID, Key: ld.signer}); err != nil {
				return fmt.Errorf("cognitolocal: state: %w", err)
			}
			if err := p.publishLocked(ld.keys, ld.signer); err != nil {
				return err
			}
			created = append(created, p)
		}
		installs = append(installs, pendingInstall{p, ld})
	}
	if err := s.checkLoadedDomains(seen, installs); err != nil {
		return err
	}
	for _, in := range installs {
		in.p.install(in.ld)
	}
	for _, p := range created {
		if err := s.add(p); err != nil {
			return err
		}
	}
	return nil
}

// checkLoadedDomains refuses a state that would give two pools one
// domain name, as CreateUserPoolDomain never does: among the loaded
// pools, or between one and a pool of the service the state leaves
// alone (not in loaded).
func (s *Service) checkLoadedDomains(loaded map[string]bool, installs []pendingInstall) error {
	owner := map[string]string{}
	claim := func(id string, settings *poolSettings) error {
		for _, d := range []*poolDomain{settings.Domain, settings.CustomDomain} {
			if d == nil {
				continue
			}
			if other, ok := owner[d.Name]; ok && other != id {
				return errors.New("cognitolocal: state gives two pools one domain")
			}
			owner[d.Name] = id
		}
		return nil
	}
	for _, p := range s.Pools() {
		if !loaded[p.poolID] {
			if err := claim(p.poolID, p.conf()); err != nil {
				return err
			}
		}
	}
	for _, in := range installs {
		settings := in.ld.settings
		if settings == nil {
			settings = in.p.conf()
		}
		if err := claim(in.p.poolID, settings); err != nil {
			return err
		}
	}
	return nil
}

// pendingInstall is a loaded pool and the pool it goes into.
type pendingInstall struct {
	p  *Pool
	ld *loadedPool
}

// loadedPool is a saved pool, checked and indexed, ready to install.
type loadedPool struct {
	settings *poolSettings
	keys     []*SigningKey
	signer   *SigningKey
	users    map[string]*user
	groups   map[string]*group
	clients  map[string]*AppClient
	schema   map[string]*customAttribute
	families map[string]*family
	refresh  map[string]string
	outbox   []Message
	servers  map[string]*ResourceServer
	jobs     map[string]*importJob
}

// decode checks a saved pool and indexes its records. A format 1 pool
// has no settings: it keeps the pool's.
func (ps poolState) decode() (*loadedPool, error) {
	if ps.PoolID == "" || !poolIDPattern.MatchString(ps.PoolID) {
		return nil, errors.New("cognitolocal: state has a pool without a valid ID")
	}
	ld := &loadedPool{settings: ps.Settings, users: map[string]*user{}, clients: map[string]*AppClient{}}
	if ld.settings != nil && ld.settings.PasswordPolicy.MinimumLength == 0 {
		return nil, errors.New("cognitolocal: state has settings without a password policy")
	}
	if ld.settings != nil {
		var err error
		if ld.settings.AccountRecovery, err = checkRecovery(ld.settings.AccountRecovery); err != nil {
			return nil, errors.New("cognitolocal: state has an invalid account recovery setting")
		}
	}
	migrateDeviceConfig(ld.settings)
	caseSensitive := ld.settings != nil && ld.settings.CaseSensitive
	for _, u := range ps.Users {
		if u == nil || u.Username == "" || u.Attributes["sub"] == "" {
			return nil, errors.New("cognitolocal: state has a user without a username or sub")
		}
		key := u.Username
		if !caseSensitive {
			key = fold(key)
		}
		if ld.users[key] != nil {
			return nil, errors.New("cognitolocal: state has a user twice")
		}
		ld.users[key] = u
	}
	var err error
	if ld.groups, err = indexState(ps.Groups, func(g *group) string { return g.Name }, "a group without a name"); err != nil {
		return nil, err
	}
	for _, cs := range ps.Clients {
		if cs.ClientID == "" {
			return nil, errors.New("cognitolocal: state has an app client without an ID")
		}
		c := cloneClient(cs.AppClient)
		c.created, c.modified = cs.Created, cs.Modified
		if c.PreventUserExistenceErrors == "" {
			// Written before the setting was kept, when every client
			// answered unknown users as wrong passwords.
			c.PreventUserExistenceErrors = existenceEnabled
		}
		ld.clients[c.ClientID] = &c
	}
	if ld.schema, err = indexState(ps.Schema, func(a *customAttribute) string { return a.Name }, "a custom attribute without a name"); err != nil {
		return nil, err
	}
	if ld.families, err = indexState(ps.Families, func(f *family) string { return f.OriginJTI }, "a refresh-token family without an origin_jti"); err != nil {
		return nil, err
	}
	if ld.servers, err = indexState(ps.ResourceServers, func(rs *ResourceServer) string { return rs.Identifier }, "a resource server without an identifier"); err != nil {
		return nil, err
	}
	if ld.jobs, err = indexState(ps.ImportJobs, func(j *importJob) string { return j.ID }, "an import job without an ID"); err != nil {
		return nil, err
	}
	ld.outbox = slices.Clone(ps.Outbox)
	if n := len(ld.outbox) - maxOutbox; n > 0 {
		ld.outbox = slices.Delete(ld.outbox, 0, n)
	}
	ld.refresh = maps.Clone(ps.Refresh)
	if ld.refresh == nil {
		ld.refresh = map[string]string{}
	}
	for _, k := range ps.Keys {
		priv, err := x509.ParsePKCS8PrivateKey(k.PKCS8)
		rsaKey, ok := priv.(*rsa.PrivateKey)
		if err != nil || !ok || k.Kid == "" {
			return nil, errors.New("cognitolocal: state has a signing key that is not an RSA key with a kid")
		}
		sk := &SigningKey{KeyID: k.Kid, Private: rsaKey}
		ld.keys = append(ld.keys, sk)
		if k.Signer || ld.signer == nil {
			ld.signer = sk
		}
	}
	return ld, nil
}

// install makes a loaded pool's records the pool's own.
func (p *Pool) install(ld *loadedPool) {
	if ld.settings != nil {
		p.settings.Store(ld.settings)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users, p.groups, p.clients, p.schema, p.families, p.refresh = ld.users, ld.groups, ld.clients, ld.schema, ld.families, ld.refresh
	p.codes = map[string]*authCode{}
	p.sessions = map[string]*authSession{}
	auth := newAuthState()
	auth.decoyKey = p.auth.decoyKey // unknown names keep their decoy salts
	p.auth = auth
	p.outbox, p.resourceServers, p.importJobs = ld.outbox, ld.servers, ld.jobs
}

// indexState keys a loaded state's records by key. A null record or an
// empty key makes the whole state invalid: what names the record kind
// for the error, as "a group without a name".
func indexState[T any](records []*T, key func(*T) string, what string) (map[string]*T, error) {
	index := make(map[string]*T, len(records))
	for _, r := range records {
		if r == nil || key(r) == "" {
			return nil, errors.New("cognitolocal: state has " + what)
		}
		index[key(r)] = r
	}
	return index, nil
}
