package cognitolocal

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"slices"
	"time"
)

// Remembered devices, as the Cognito developer guide's "Working with user
// devices in your user pool" describes them
// (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-device-tracking.html):
// a pool with a DeviceConfiguration hands every API sign-in that names no
// device a new device key (NewDeviceMetadata); the app keeps it with a
// random device password whose SRP verifier ConfirmDevice stores; later
// sign-ins that present the key prove the password with DEVICE_SRP_AUTH
// (devicesrp.go), and a remembered device may stand in for the MFA code.

// deviceConfig is the pool's DeviceConfiguration. A pool without one
// tracks no devices: "When you provide a value for any property of
// DeviceConfiguration, you activate the device remembering for the user
// pool" (API reference, DeviceConfigurationType).
type deviceConfig struct {
	// ChallengeRequiredOnNewDevice lets a remembered device sign in with
	// device authentication instead of an SMS, email or TOTP code.
	ChallengeRequiredOnNewDevice bool `json:"challengeRequiredOnNewDevice"`
	// DeviceOnlyRememberedOnUserPrompt leaves a confirmed device not
	// remembered until UpdateDeviceStatus says otherwise.
	DeviceOnlyRememberedOnUserPrompt bool `json:"deviceOnlyRememberedOnUserPrompt"`
}

// The two values of dev:device_remembered_status (DeviceRememberedStatusType).
const (
	deviceRemembered    = "remembered"
	deviceNotRemembered = "not_remembered"
)

// maxPendingDevices bounds the device keys a user holds that were handed
// out and never confirmed: every sign-in without a device makes one, and
// most are never confirmed (a server-side sign-in, a script).
const maxPendingDevices = 10

// device is one device key of a user.
type device struct {
	Key      string `json:"key"`
	GroupKey string `json:"groupKey"`
	Name     string `json:"name,omitempty"`
	// Verifier is the device password's SRP verifier from ConfirmDevice;
	// nil while the key is pending (handed out, not confirmed), when the
	// device does not exist as far as every operation is concerned.
	Verifier *srpVerifier `json:"verifier,omitempty"`
	// Status is remembered or not_remembered once confirmed.
	Status   string    `json:"status,omitempty"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	// LastAuthenticated is the last sign-in that proved the device
	// password (or the confirmation).
	LastAuthenticated time.Time `json:"lastAuthenticated,omitzero"`
	// LastIP is the source IP of that sign-in (or confirmation), which
	// the device reports as last_ip_used; empty when it was made through
	// the Go API rather than over HTTP.
	LastIP string `json:"lastIp,omitempty"`
}

// authenticatedFrom records a proof of the device, or its confirmation,
// from ip at now: DeviceLastAuthenticatedDate ("the date when the user
// last signed in with the device") and last_ip_used ("last-access source
// IP", API reference, DeviceType). An ip of "" (a call not made over
// HTTP) leaves the last one known.
func (d *device) authenticatedFrom(ip string, now time.Time) {
	d.LastAuthenticated = now
	if ip != "" {
		d.LastIP = ip
	}
}

func (d *device) confirmed() bool { return d != nil && d.Verifier != nil }

// errDeviceNotFound answers a device key the user does not have. Its
// message names the device: amazon-cognito-identity-js and Amplify
// forget their stored device and sign in again without it when a
// ResourceNotFoundException mentions "device".
var errDeviceNotFound = apiErr(codeResourceNotFound, "Device does not exist.")

// errDeviceTrackingOff answers the device operations of a pool that does
// not track devices.
var errDeviceTrackingOff = apiErr("InvalidUserPoolConfigurationException", "Device tracking is not enabled for this user pool: set its DeviceConfiguration.")

// devices returns the pool's DeviceConfiguration, nil when it tracks no
// devices.
func (p *Pool) devices() *deviceConfig { return p.conf().Devices }

// deviceLocked returns u's confirmed device key, or errDeviceNotFound.
func (u *user) deviceLocked(key string) (*device, error) {
	for _, d := range u.Devices {
		if d.Key == key && d.confirmed() {
			return d, nil
		}
	}
	return nil, errDeviceNotFound
}

// newDeviceLocked hands u a new, pending device key: Region_UUID, in the
// user's device group. The oldest pending keys past maxPendingDevices go.
func (p *Pool) newDeviceLocked(u *user) *device {
	if u.DeviceGroup == "" {
		u.DeviceGroup = "-" + randomToken(6)
	}
	now := p.now()
	d := &device{Key: p.region() + "_" + newUUID(), GroupKey: u.DeviceGroup, Created: now, Modified: now}
	pending := 0
	for i := len(u.Devices) - 1; i >= 0; i-- {
		if !u.Devices[i].confirmed() {
			if pending++; pending >= maxPendingDevices {
				u.Devices = slices.Delete(u.Devices, i, i+1)
			}
		}
	}
	u.Devices = append(u.Devices, d)
	return d
}

// confirmDeviceLocked stores the verifier of a device key handed to u and
// returns UserConfirmationNecessary: true when the pool remembers devices
// only on the user's say (the device then starts not remembered).
// Confirming a confirmed device again replaces its verifier and name, as
// an app that lost its device password would; the API reference is
// silent on it.
func (p *Pool) confirmDeviceLocked(u *user, key string, ver *srpVerifier, name, ip string) (bool, error) {
	i := slices.IndexFunc(u.Devices, func(d *device) bool { return d.Key == key })
	if i < 0 {
		return false, errDeviceNotFound
	}
	d := u.Devices[i]
	prompt := p.devices().DeviceOnlyRememberedOnUserPrompt
	if !d.confirmed() {
		d.Status = deviceRemembered
		if prompt {
			d.Status = deviceNotRemembered
		}
	}
	now := p.now()
	d.Verifier, d.Name, d.Modified = ver, name, now
	d.authenticatedFrom(ip, now)
	return prompt, nil
}

// setDeviceStatusLocked remembers or stops remembering u's device key.
func (p *Pool) setDeviceStatusLocked(u *user, key, status string) error {
	if status != deviceRemembered && status != deviceNotRemembered {
		return apiErr(codeInvalidParameter, "DeviceRememberedStatus must be remembered or not_remembered.")
	}
	d, err := u.deviceLocked(key)
	if err != nil {
		return err
	}
	d.Status, d.Modified = status, p.now()
	return nil
}

// forgetDeviceLocked deletes u's device key: sign-ins presenting it are
// then told it does not exist, and the refresh tokens of sign-ins made
// on it no longer refresh. The developer guide and the API reference say
// only that the device can no longer authenticate (AdminForgetDevice);
// AWS's announcement of the feature says the rest: "With device
// tracking, these tokens are linked to a single device ... the
// ForgetDevice API can be used to forget that specific device, and as a
// result, all future calls to revalidate that device's refresh tokens
// will fail"
// (https://aws.amazon.com/blogs/mobile/tracking-and-remembering-devices-using-amazon-cognito-your-user-pools/).
// It speaks of refresh tokens only: the access tokens already issued
// stay good until they expire, so that the app that forgot its own
// device can still list the others, as Amplify's and identity-js's
// device screens do.
func (p *Pool) forgetDeviceLocked(u *user, key string) error {
	if _, err := u.deviceLocked(key); err != nil {
		return err
	}
	u.Devices = slices.DeleteFunc(u.Devices, func(d *device) bool { return d.Key == key })
	for _, f := range p.families {
		if f.DeviceKey == key && p.sameUser(f.Username, u.Username) {
			f.DeviceForgotten = true
		}
	}
	return nil
}

// confirmedDevicesLocked copies u's confirmed devices.
func confirmedDevicesLocked(u *user) []device {
	var out []device
	for _, d := range u.Devices {
		if d.confirmed() {
			out = append(out, *d)
		}
	}
	return out
}

// deviceSkipsMFALocked reports whether u's device key stands in for the
// MFA code: the pool lets remembered devices do so
// (ChallengeRequiredOnNewDevice) and the device is remembered. MFA_SETUP
// is never skipped: a device does not set up a factor.
func (p *Pool) deviceSkipsMFALocked(u *user, key, challenge string) bool {
	conf := p.devices()
	if key == "" || conf == nil || !conf.ChallengeRequiredOnNewDevice || challenge == "MFA_SETUP" {
		return false
	}
	d, err := u.deviceLocked(key)
	return err == nil && d.Status == deviceRemembered
}

// deviceVerifierConfig is DeviceSecretVerifierConfigType: the salt and
// the verifier v = g^x, each base64 of the big-endian bytes the clients
// hash (amazon-cognito-identity-js generateHashDevice).
type deviceVerifierConfig struct {
	PasswordVerifier string `json:"PasswordVerifier"`
	Salt             string `json:"Salt"`
}

// maxDeviceSalt bounds a device salt: the clients send 16 random bytes.
const maxDeviceSalt = 256

// verifier reads the configuration into the pool's SRP verifier form,
// refusing what no client sends and what would make the exchange
// trivial (v ≡ 0 or 1 mod N).
func (c *deviceVerifierConfig) verifier() (*srpVerifier, error) {
	bad := apiErr(codeInvalidParameter, "DeviceSecretVerifierConfig needs a PasswordVerifier and a Salt, each base64, the verifier between 2 and N-1.")
	if c == nil {
		return nil, bad
	}
	salt, err1 := base64.StdEncoding.DecodeString(c.Salt)
	v, err2 := base64.StdEncoding.DecodeString(c.PasswordVerifier)
	if err1 != nil || err2 != nil || len(salt) == 0 || len(salt) > maxDeviceSalt || len(v) == 0 || len(v) > 2*len(srpGroupHex) {
		return nil, bad
	}
	n := new(big.Int).SetBytes(v)
	if n.Cmp(big.NewInt(1)) <= 0 || n.Cmp(srpParams().n) >= 0 {
		return nil, bad
	}
	return &srpVerifier{Salt: hex.EncodeToString(salt), Verifier: n.Text(16)}, nil
}

// deviceConfigInput is DeviceConfigurationType as CreateUserPool and
// UpdateUserPool take it.
type deviceConfigInput struct {
	ChallengeRequiredOnNewDevice     bool `json:"ChallengeRequiredOnNewDevice"`
	DeviceOnlyRememberedOnUserPrompt bool `json:"DeviceOnlyRememberedOnUserPrompt"`
}

// parseDeviceConfig reads a request's DeviceConfiguration member (raw,
// nil when absent): any object, even an empty one, turns tracking on.
func parseDeviceConfig(raw json.RawMessage) (*deviceConfig, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var in deviceConfigInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, apiErr(codeInvalidParameter, "DeviceConfiguration must be an object of two booleans, ChallengeRequiredOnNewDevice and DeviceOnlyRememberedOnUserPrompt.")
	}
	return &deviceConfig{ChallengeRequiredOnNewDevice: in.ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt: in.DeviceOnlyRememberedOnUserPrompt}, nil
}

// wire answers DeviceConfigurationType.
func (c *deviceConfig) wire() map[string]bool {
	return map[string]bool{"ChallengeRequiredOnNewDevice": c.ChallengeRequiredOnNewDevice, "DeviceOnlyRememberedOnUserPrompt": c.DeviceOnlyRememberedOnUserPrompt}
}

// migrateDeviceConfig moves a DeviceConfiguration that a state file saved
// before devices were modelled kept among the settings' Extra members
// into the model, so that such a pool tracks devices once loaded.
func migrateDeviceConfig(s *poolSettings) {
	if s == nil || s.Devices != nil {
		return
	}
	raw, ok := s.Extra["DeviceConfiguration"]
	if !ok {
		return
	}
	if c, err := parseDeviceConfig(raw); err == nil && c != nil {
		s.Devices = c
		delete(s.Extra, "DeviceConfiguration")
	}
}
