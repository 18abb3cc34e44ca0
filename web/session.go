package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
	"unsafe"
)

// session is what a sign-in leaves with the browser: the three tokens and
// the times the lifetimes are measured from.
type session struct {
	// id names the session: the store key in server-side mode, and in
	// either mode the key that makes concurrent refreshes of one session
	// share a single call to the token endpoint.
	id      string
	created time.Time // sign-in; the absolute lifetime runs from it
	seen    time.Time // last request that was recorded; the idle lifetime runs from it
	// accessExp is the access token's exp, so that a request can tell
	// when to refresh without opening the access token.
	accessExp time.Time
	idToken   string
	// access and refresh are empty in a session just read: they have
	// cookies, or parts of the stored record, of their own (see Auth.save),
	// opened when needed. In store mode sealedAccess and sealedRefresh are
	// those parts.
	access        string
	refresh       string
	sealedAccess  []byte
	sealedRefresh []byte
}

// sessionVersion leads the encoding so that a later format can be told
// apart from this one.
const sessionVersion = 1

var errSessionFormat = errors.New("web: session record is malformed")

// random256 returns 256 random bits, base64url: unguessable, and safe in
// cookies, URLs and store keys. Session ids, states and nonces are these.
func random256() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// encode writes s as a version byte, three Unix times in seconds and four
// length-prefixed strings. A binary layout rather than JSON because every
// request decodes it: this costs tens of nanoseconds where JSON would cost
// microseconds for the four kilobytes of tokens.
func (s *session) encode() []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+4*binary.MaxVarintLen32+
		len(s.id)+len(s.access)+len(s.idToken)+len(s.refresh))
	b = append(b, sessionVersion)
	b = binary.AppendVarint(b, s.created.Unix())
	b = binary.AppendVarint(b, s.seen.Unix())
	b = binary.AppendVarint(b, s.accessExp.Unix())
	return appendFields(b, s.id, s.idToken, s.access, s.refresh)
}

// decodeSession parses what encode wrote. Its strings view b, which the
// caller hands over and never writes again (b is freshly opened
// plaintext), saving a copy of every token on every request.
func decodeSession(b []byte) (*session, error) {
	if len(b) == 0 || b[0] != sessionVersion {
		return nil, errSessionFormat
	}
	b = b[1:]
	var times [3]int64
	for i := range times {
		v, n := binary.Varint(b)
		if n <= 0 {
			return nil, errSessionFormat
		}
		times[i], b = v, b[n:]
	}
	var f [4]string
	if err := readFields(b, f[:]); err != nil || f[0] == "" || f[1] == "" {
		return nil, errSessionFormat
	}
	return &session{
		id:        f[0],
		created:   time.Unix(times[0], 0),
		seen:      time.Unix(times[1], 0),
		accessExp: time.Unix(times[2], 0),
		idToken:   f[1],
		access:    f[2],
		refresh:   f[3],
	}, nil
}

func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// readFields fills out with the length-prefixed strings of b, which must
// hold exactly len(out) of them. The strings view b.
func readFields(b []byte, out []string) error {
	for i := range out {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return errSessionFormat
		}
		b = b[n:]
		if l > 0 {
			out[i] = unsafe.String(&b[0], int(l))
		}
		b = b[l:]
	}
	if len(b) != 0 {
		return errSessionFormat
	}
	return nil
}

// appendRecord writes the sealed parts of a stored session, each prefixed
// with its length.
func appendRecord(b []byte, parts ...[]byte) []byte {
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// splitRecord fills out with the parts of a record appendRecord wrote,
// which must hold exactly len(out) of them. The parts alias rec.
func splitRecord(rec []byte, out [][]byte) error {
	for i := range out {
		l, n := binary.Uvarint(rec)
		if n <= 0 || l > uint64(len(rec)-n) {
			return errSessionFormat
		}
		out[i], rec = rec[n:n+int(l):n+int(l)], rec[n+int(l):]
	}
	if len(rec) != 0 {
		return errSessionFormat
	}
	return nil
}
