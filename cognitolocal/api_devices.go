package cognitolocal

import "context"

// The JSON API operations on remembered devices (devices.go): the user's
// own, authorised by an access token, and the Admin ones, by the pool
// and username. API reference, ConfirmDevice, GetDevice, ListDevices,
// UpdateDeviceStatus, ForgetDevice and their Admin forms:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmDevice.html

// deviceType is DeviceType.
type deviceType struct {
	DeviceKey                   string      `json:"DeviceKey"`
	DeviceAttributes            []attribute `json:"DeviceAttributes"`
	DeviceCreateDate            epoch       `json:"DeviceCreateDate"`
	DeviceLastModifiedDate      epoch       `json:"DeviceLastModifiedDate"`
	DeviceLastAuthenticatedDate epoch       `json:"DeviceLastAuthenticatedDate,omitempty"`
}

// wire answers d as DeviceType, with the attributes the API reference's
// AdminListDevices example shows and this pool knows: device_status,
// device_name, last_ip_used and dev:device_remembered_status.
func (d device) wire() deviceType {
	attrs := []attribute{{Name: "device_status", Value: "valid"}}
	if d.Name != "" {
		attrs = append(attrs, attribute{Name: "device_name", Value: d.Name})
	}
	if d.LastIP != "" {
		attrs = append(attrs, attribute{Name: "last_ip_used", Value: d.LastIP})
	}
	attrs = append(attrs, attribute{Name: "dev:device_remembered_status", Value: d.Status})
	out := deviceType{DeviceKey: d.Key, DeviceAttributes: attrs, DeviceCreateDate: epochOf(d.Created), DeviceLastModifiedDate: epochOf(d.Modified)}
	if !d.LastAuthenticated.IsZero() {
		out.DeviceLastAuthenticatedDate = epochOf(d.LastAuthenticated)
	}
	return out
}

type confirmDeviceInput struct {
	AccessToken                string                `json:"AccessToken"`
	DeviceKey                  string                `json:"DeviceKey"`
	DeviceSecretVerifierConfig *deviceVerifierConfig `json:"DeviceSecretVerifierConfig"`
	DeviceName                 string                `json:"DeviceName"`
}

type confirmDeviceOutput struct {
	UserConfirmationNecessary bool `json:"UserConfirmationNecessary"`
}

// confirmDevice stores the verifier of a device key handed to the
// token's user. UserConfirmationNecessary is true when the pool remembers
// devices only on the user's say: the app then asks and sends
// UpdateDeviceStatus (API reference, ConfirmDeviceResponse).
func (p *Pool) confirmDevice(ctx context.Context, in *confirmDeviceInput) (*confirmDeviceOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if p.devices() == nil {
		return nil, errDeviceTrackingOff
	}
	ver, err := in.DeviceSecretVerifierConfig.verifier()
	if err != nil {
		return nil, err
	}
	var necessary bool
	err = p.onUser(name, func(u *user) error {
		necessary, err = p.confirmDeviceLocked(u, in.DeviceKey, ver, in.DeviceName, sourceIP(ctx))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &confirmDeviceOutput{UserConfirmationNecessary: necessary}, nil
}

type deviceStatusInput struct {
	AccessToken            string `json:"AccessToken"`
	UserPoolID             string `json:"UserPoolId"`
	Username               string `json:"Username"`
	DeviceKey              string `json:"DeviceKey"`
	DeviceRememberedStatus string `json:"DeviceRememberedStatus"`
}

func (p *Pool) updateDeviceStatus(ctx context.Context, in *deviceStatusInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.onUser(name, func(u *user) error { return p.setDeviceStatusLocked(u, in.DeviceKey, in.DeviceRememberedStatus) })
}

func (p *Pool) adminUpdateDeviceStatus(_ context.Context, in *deviceStatusInput) (*empty, error) {
	return &empty{}, p.withUser(poolUser{UserPoolID: in.UserPoolID, Username: in.Username}, func(u *user) error {
		return p.setDeviceStatusLocked(u, in.DeviceKey, in.DeviceRememberedStatus)
	})
}

type deviceInput struct {
	AccessToken string `json:"AccessToken"`
	UserPoolID  string `json:"UserPoolId"`
	Username    string `json:"Username"`
	DeviceKey   string `json:"DeviceKey"`
}

type getDeviceOutput struct {
	Device deviceType `json:"Device"`
}

func (p *Pool) getDevice(ctx context.Context, in *deviceInput) (*getDeviceOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return p.deviceOf(name, in.DeviceKey)
}

func (p *Pool) adminGetDevice(_ context.Context, in *deviceInput) (*getDeviceOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	out, err := p.deviceOf(in.Username, in.DeviceKey)
	return out, unknownUserAsResource(err)
}

// unknownUserAsResource words an unknown user as AdminGetDevice and
// AdminListDevices can: their model lists ResourceNotFoundException but
// not UserNotFoundException (botocore's cognito-idp service model), so an
// SDK would not type the latter.
func unknownUserAsResource(err error) error {
	if err == errUserNotFound {
		return apiErr(codeResourceNotFound, "User does not exist.")
	}
	return err
}

func (p *Pool) deviceOf(username, key string) (*getDeviceOutput, error) {
	var out getDeviceOutput
	err := p.onUser(username, func(u *user) error {
		d, err := u.deviceLocked(key)
		if err == nil {
			out.Device = d.wire()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (p *Pool) forgetDevice(ctx context.Context, in *deviceInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.onUser(name, func(u *user) error { return p.forgetDeviceLocked(u, in.DeviceKey) })
}

func (p *Pool) adminForgetDevice(_ context.Context, in *deviceInput) (*empty, error) {
	return &empty{}, p.withUser(poolUser{UserPoolID: in.UserPoolID, Username: in.Username}, func(u *user) error {
		return p.forgetDeviceLocked(u, in.DeviceKey)
	})
}

type listDevicesInput struct {
	AccessToken     string `json:"AccessToken"`
	UserPoolID      string `json:"UserPoolId"`
	Username        string `json:"Username"`
	Limit           *int   `json:"Limit"`
	PaginationToken string `json:"PaginationToken"`
}

type listDevicesOutput struct {
	Devices         []deviceType `json:"Devices"`
	PaginationToken string       `json:"PaginationToken,omitempty"`
}

// listDevices pages the token's user's confirmed devices, 0 to 60 a page
// (QueryLimitType; 0 or absent is 60), in device-key order.
func (p *Pool) listDevices(ctx context.Context, in *listDevicesInput) (*listDevicesOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return p.devicePage(name, in)
}

func (p *Pool) adminListDevices(_ context.Context, in *listDevicesInput) (*listDevicesOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	out, err := p.devicePage(in.Username, in)
	return out, unknownUserAsResource(err)
}

func (p *Pool) devicePage(username string, in *listDevicesInput) (*listDevicesOutput, error) {
	limit, err := pageLimit(in.Limit, 0, 60, "limit")
	if err != nil {
		return nil, err
	}
	var all []device
	if err := p.onUser(username, func(u *user) error { all = confirmedDevicesLocked(u); return nil }); err != nil {
		return nil, err
	}
	page, next, err := pageOf(all, func(d device) string { return d.Key }, limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	out := &listDevicesOutput{Devices: []deviceType{}, PaginationToken: next}
	for _, d := range page {
		out.Devices = append(out.Devices, d.wire())
	}
	return out, nil
}
