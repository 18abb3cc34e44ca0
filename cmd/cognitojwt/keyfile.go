package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// keyFileName is the dev-issuer's key file under the user's configuration
// directory.
const keyFileName = "dev-issuer-key.json"

// fallbackKeyFile is used when the system names no configuration
// directory.
const fallbackKeyFile = ".cognitojwt-dev-key.json"

// storedKey is the key file's content: the signing key as PKCS#8 PEM and
// its kid, so that tokens minted before a restart still verify after it.
type storedKey struct {
	KeyID      string `json:"kid"`
	PrivateKey string `json:"private_key"`
	Comment    string `json:"comment,omitempty"`
}

func defaultKeyFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return fallbackKeyFile
	}
	return filepath.Join(dir, "cognitojwt", keyFileName)
}

// loadOrCreateKey reads the key file, or creates it with a fresh key
// (mode 0600, in a directory of mode 0700) when it does not exist.
func loadOrCreateKey(path string, warn io.Writer) (key *cognitolocal.SigningKey, created bool, err error) {
	key, err = loadKey(path, warn)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key, err = cognitolocal.NewSigningKey()
	if err != nil {
		return nil, false, fmt.Errorf("generating a key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key.Private)
	if err != nil {
		return nil, false, err
	}
	body, err := json.MarshalIndent(storedKey{
		KeyID:      key.KeyID,
		PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		Comment:    "signing key of cognitojwt dev-issuer; for local development only",
	}, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, fmt.Errorf("creating the key file's directory: %w", err)
		}
	}
	// O_EXCL: if another dev-issuer created the file meanwhile, use its key
	// rather than replace it under tokens it already minted.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err = loadKey(path, warn)
		return key, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("creating the key file: %w", err)
	}
	_, err = f.Write(append(body, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, false, fmt.Errorf("writing the key file: %w", err)
	}
	return key, true, nil
}

func loadKey(path string, warn io.Writer) (*cognitolocal.SigningKey, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(warn, "warning: key file %s is readable by others (mode %v); chmod 600 it\n", path, info.Mode().Perm())
	}
	var stored storedKey
	if err := json.Unmarshal(body, &stored); err != nil {
		return nil, fmt.Errorf("key file %s is not JSON (delete it to start with a new key): %w", path, err)
	}
	block, _ := pem.Decode([]byte(stored.PrivateKey))
	if block == nil || stored.KeyID == "" {
		return nil, fmt.Errorf("key file %s lacks kid or a PEM private_key (delete it to start with a new key)", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok || priv.N.BitLen() < 2048 {
		return nil, fmt.Errorf("key file %s does not hold an RSA key of at least 2048 bits", path)
	}
	return &cognitolocal.SigningKey{KeyID: stored.KeyID, Private: priv}, nil
}
