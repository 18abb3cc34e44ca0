package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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
// returns it base64url-encoded.
func (s *sealer) seal(purpose string, plaintext []byte) string {
	k := s.keys[0]
	buf := make([]byte, 1+keyIDSize+12, sealOverhead+len(plaintext))
	buf[0] = sealVersion
	copy(buf[1:], k.id[:])
	nonce := buf[1+keyIDSize:]
	// Random 96-bit nonces are safe for about 2^32 seals per key; rotate
	// keys well before that.
	_, _ = rand.Read(nonce)
	out := k.aead.Seal(buf, nonce, plaintext, []byte(purpose))
	return base64.RawURLEncoding.EncodeToString(out)
}

// open reverses seal and reports the index of the key that opened it. Any
// failure is errUnseal: which check failed is of no use to a client and
// none of the value is worth logging.
func (s *sealer) open(purpose, value string) ([]byte, int, error) {
	n := base64.RawURLEncoding.DecodedLen(len(value))
	if n < sealOverhead {
		return nil, 0, errUnseal
	}
	raw := make([]byte, n)
	if m, err := base64.RawURLEncoding.Strict().Decode(raw, []byte(value)); err != nil || m != n {
		return nil, 0, errUnseal
	}
	if raw[0] != sealVersion {
		return nil, 0, errUnseal
	}
	for i, k := range s.keys {
		if [keyIDSize]byte(raw[1:1+keyIDSize]) != k.id {
			continue
		}
		nonce := raw[1+keyIDSize : 1+keyIDSize+12]
		// Decrypt in place: raw is ours and the plaintext is shorter.
		pt, err := k.aead.Open(raw[sealOverhead-16:sealOverhead-16], nonce, raw[sealOverhead-16:], []byte(purpose))
		if err != nil {
			return nil, 0, errUnseal
		}
		return pt, i, nil
	}
	return nil, 0, errUnseal
}
