package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// KeySize is the length of a session key: AES-256.
const KeySize = 32

// NewKey returns a fresh random session key, for Config.Keys. Keep keys
// secret and the same on every instance; store them as base64, for example
// the output of "openssl rand -base64 32".
func NewKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	return k
}

// sealVersion leads every sealed value so that a later format can be told
// apart from this one.
const sealVersion = 1

// keyIDSize is the length of the key fingerprint in a sealed value. It only
// picks the key to try (a wrong pick fails authentication anyway), so four
// bytes keep cookies short while telling a handful of keys apart.
const keyIDSize = 4

// sealOverhead is what sealing adds to the plaintext before base64.
const sealOverhead = 1 + keyIDSize + 12 + 16

var errUnseal = errors.New("web: sealed value does not open")

// sealer encrypts and authenticates values with AES-256-GCM. The first key
// seals; every key opens, so a new key can be put first while values
// sealed with the old ones stay readable until they expire.
type sealer struct {
	keys []sealKey
}

type sealKey struct {
	id   [keyIDSize]byte
	aead cipher.AEAD
}

func newSealer(keys [][]byte) (*sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("web: Config.Keys needs at least one key")
	}
	s := &sealer{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("web: Config.Keys[%d] is %d bytes, want %d", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("web: Config.Keys[%d]: %v", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("web: Config.Keys[%d]: %v", i, err)
		}
		// The fingerprint is a hash of the key so that nothing about the
		// key itself appears in cookies.
		sum := sha256.Sum256(append([]byte("cognitojwt/web key id\x00"), k...))
		var sk sealKey
		copy(sk.id[:], sum[:])
		sk.aead = aead
		for _, prev := range s.keys {
			if prev.id == sk.id {
				return nil, fmt.Errorf("web: Config.Keys[%d] repeats an earlier key", i)
			}
		}
		s.keys = append(s.keys, sk)
	}
	return s, nil
}

// seal encrypts plaintext bound to purpose (the cookie or store record it
// is for, so that one kind of value can never be replayed as another) and
// returns it base64url-encoded, for a cookie.
func (s *sealer) seal(purpose string, plaintext []byte) string {
	return base64.RawURLEncoding.EncodeToString(s.sealRaw(purpose, plaintext))
}

// sealRaw is seal without the encoding, for stores, which take bytes.
func (s *sealer) sealRaw(purpose string, plaintext []byte) []byte {
	k := s.keys[0]
	buf := make([]byte, 1+keyIDSize+12, sealOverhead+len(plaintext))
	buf[0] = sealVersion
	copy(buf[1:], k.id[:])
	nonce := buf[1+keyIDSize:]
	// Random 96-bit nonces are safe for about 2^32 seals per key; rotate
	// keys well before that.
	_, _ = rand.Read(nonce)
	return k.aead.Seal(buf, nonce, plaintext, []byte(purpose))
}

// open reverses seal, given the sealed value whole or as the chunks of a
// cookie (each but the last a multiple of four characters long, so that
// each decodes on its own and nothing is concatenated), and reports the
// index of the key that opened it. Any failure is errUnseal: which check
// failed is of no use to a client and none of the value is worth logging.
func (s *sealer) open(purpose string, parts ...string) ([]byte, int, error) {
	total := 0
	for i, p := range parts {
		if i < len(parts)-1 && len(p)%4 != 0 {
			return nil, 0, errUnseal
		}
		total += len(p)
	}
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(total))
	off := 0
	for _, p := range parts {
		m, err := b64.Decode(raw[off:], view.Bytes(p))
		if err != nil {
			return nil, 0, errUnseal
		}
		off += m
	}
	if off != len(raw) {
		return nil, 0, errUnseal
	}
	return s.openRaw(purpose, raw, true)
}

// openRaw reverses sealRaw. It decrypts in place when raw is the caller's
// to give up (inPlace), into a fresh buffer otherwise: a value a Store
// handed back may be the store's own, which must go on holding sealed
// bytes only.
func (s *sealer) openRaw(purpose string, raw []byte, inPlace bool) ([]byte, int, error) {
	if len(raw) < sealOverhead || raw[0] != sealVersion {
		return nil, 0, errUnseal
	}
	for i, k := range s.keys {
		if [keyIDSize]byte(raw[1:1+keyIDSize]) != k.id {
			continue
		}
		nonce := raw[1+keyIDSize : 1+keyIDSize+12]
		ct := raw[sealOverhead-16:]
		var dst []byte
		if inPlace {
			dst = ct[:0]
		}
		pt, err := k.aead.Open(dst, nonce, ct, []byte(purpose))
		if err != nil {
			return nil, 0, errUnseal
		}
		return pt, i, nil
	}
	return nil, 0, errUnseal
}

var b64 = base64.RawURLEncoding.Strict()
