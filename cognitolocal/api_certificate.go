package cognitolocal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
)

// GetSigningCertificate answers the certificate a pool signs SAML
// requests with: "The issued certificate is valid for 10 years from the
// date of issue" (API reference). The local pool has no SAML federation;
// its certificate is a self-signed X.509 certificate of the key that
// signs its tokens, issued when the pool was created, so that a tool
// that reads it (to configure a SAML identity provider) gets a
// certificate that parses. The API reference does not give the encoding:
// the pool answers base64 DER without PEM armour, as SAML metadata's
// X509Certificate carries it.

type signingCertificateOutput struct {
	Certificate string `json:"Certificate"`
}

func (p *Pool) getSigningCertificate(_ context.Context, in *poolIDInput) (*signingCertificateOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	key := p.CurrentSigningKey()
	issued := p.conf().Created.UTC()
	if issued.IsZero() {
		issued = p.now().UTC()
	}
	// A serial of the pool and key: the same pool and key answer the same
	// certificate (RSA PKCS #1 v1.5 signatures are deterministic).
	sum := sha256.Sum256([]byte(p.poolID + "\x00" + key.KeyID))
	serial := new(big.Int).SetBytes(sum[:16])
	name := pkix.Name{CommonName: "cognito-idp." + p.region() + ".amazonaws.com/" + p.poolID}
	template := &x509.Certificate{
		SerialNumber: serial, Subject: name, Issuer: name,
		NotBefore: issued, NotAfter: issued.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.Private.PublicKey, key.Private)
	if err != nil {
		return nil, apiErr("InternalErrorException", "The signing certificate could not be issued.")
	}
	return &signingCertificateOutput{Certificate: base64.StdEncoding.EncodeToString(der)}, nil
}
