package cognitolocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// stateVersion is the format of SaveState's document.
const stateVersion = 1

// maxStateSize bounds what LoadState reads.
const maxStateSize = 64 << 20

type state struct {
	Version  int                `json:"version"`
	PoolID   string             `json:"poolId"`
	Users    []*user            `json:"users"`
	Groups   []*group           `json:"groups"`
	Clients  []clientState      `json:"clients"`
	Schema   []*customAttribute `json:"customAttributes"`
	Families []*family          `json:"refreshTokenFamilies"`
	// Refresh maps refresh-token digests to families.
	Refresh map[string]string `json:"refreshTokens"`
	// MFA and FirstAuthFactors are absent from states saved before the
	// pool had them: MFA off, password sign-in only.
	MFA              *mfaConfig `json:"mfaConfig,omitempty"`
	FirstAuthFactors []string   `json:"firstAuthFactors,omitempty"`
}

type clientState struct {
	AppClient
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// SaveState writes the pool's users, groups, app clients, custom
// attributes and refresh-token families as JSON, for LoadState after a
// restart, so that users stay signed in; expired refresh tokens are
// dropped. Passwords are stored as salted
// PBKDF2 hashes and refresh tokens as SHA-256 digests, but client secrets
// are in the clear: keep the file private (mode 0600). Signing keys and
// pending authorization codes are not saved.
func (p *Pool) SaveState(w io.Writer) error {
	p.mu.Lock()
	now := p.now()
	mfa := p.auth.mfa
	s := state{Version: stateVersion, PoolID: p.poolID, Refresh: map[string]string{}, MFA: &mfa, FirstAuthFactors: slices.Clone(p.auth.firstFactors)}
	for _, k := range slices.Sorted(maps.Keys(p.users)) {
		u := *p.users[k]
		s.Users = append(s.Users, &u)
	}
	for _, k := range slices.Sorted(maps.Keys(p.groups)) {
		s.Groups = append(s.Groups, p.groups[k])
	}
	for _, k := range slices.Sorted(maps.Keys(p.clients)) {
		c := p.clients[k]
		s.Clients = append(s.Clients, clientState{AppClient: cloneClient(*c), Created: c.created, Modified: c.modified})
	}
	for _, k := range slices.Sorted(maps.Keys(p.schema)) {
		s.Schema = append(s.Schema, p.schema[k])
	}
	// Expired families are left behind: nothing they issued is valid any
	// more, and the file would otherwise grow with every sign-in.
	for _, k := range slices.Sorted(maps.Keys(p.families)) {
		if f := p.families[k]; now.Before(f.Expires) {
			s.Families = append(s.Families, f)
		}
	}
	for d, origin := range p.refresh {
		if f := p.families[origin]; f != nil && now.Before(f.Expires) {
			s.Refresh[d] = origin
		}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("cognitolocal: encoding state: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("cognitolocal: writing state: %w", err)
	}
	return nil
}

// LoadState replaces the pool's users, groups, app clients, custom
// attributes and refresh-token families with those SaveState wrote. The
// document must be of the same pool ID; on any error the pool is left as
// it was.
func (p *Pool) LoadState(r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxStateSize+1))
	if err != nil {
		return fmt.Errorf("cognitolocal: reading state: %w", err)
	}
	if len(b) > maxStateSize {
		return fmt.Errorf("cognitolocal: state exceeds %d bytes", maxStateSize)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("cognitolocal: state is not valid JSON: %w", err)
	}
	if s.Version != stateVersion {
		return fmt.Errorf("cognitolocal: state format %d, want %d", s.Version, stateVersion)
	}
	if s.PoolID != p.poolID {
		return errors.New("cognitolocal: state belongs to another pool ID")
	}
	users := map[string]*user{}
	for _, u := range s.Users {
		if u == nil || u.Username == "" || u.Attributes["sub"] == "" || users[p.userKey(u.Username)] != nil {
			return errors.New("cognitolocal: state has a user without a username or sub, or twice")
		}
		users[p.userKey(u.Username)] = u
	}
	groups, err := indexState(s.Groups, func(g *group) string { return g.Name }, "a group without a name")
	if err != nil {
		return err
	}
	clients := map[string]*AppClient{}
	for _, cs := range s.Clients {
		if cs.ClientID == "" {
			return errors.New("cognitolocal: state has an app client without an ID")
		}
		c := cloneClient(cs.AppClient)
		c.created, c.modified = cs.Created, cs.Modified
		clients[c.ClientID] = &c
	}
	schema, err := indexState(s.Schema, func(a *customAttribute) string { return a.Name }, "a custom attribute without a name")
	if err != nil {
		return err
	}
	families, err := indexState(s.Families, func(f *family) string { return f.OriginJTI }, "a refresh-token family without an origin_jti")
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users, p.groups, p.clients, p.schema, p.families = users, groups, clients, schema, families
	p.refresh = maps.Clone(s.Refresh)
	if p.refresh == nil {
		p.refresh = map[string]string{}
	}
	p.codes = map[string]*authCode{}
	p.sessions = map[string]*authSession{}
	auth := newAuthState()
	auth.decoyKey = p.auth.decoyKey // unknown names keep their decoy salts
	if s.MFA != nil {
		auth.mfa = *s.MFA
	}
	if len(s.FirstAuthFactors) > 0 {
		auth.firstFactors = slices.Clone(s.FirstAuthFactors)
	}
	p.auth = auth
	return nil
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
