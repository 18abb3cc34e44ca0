package cognitolocal

import (
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The device operations, user and Admin. API reference: ListDevices,
// GetDevice, UpdateDeviceStatus, ForgetDevice and their Admin forms.

// devicesOf signs alice in n times on new devices, confirms each, and
// returns them with the access token of the last sign-in.
func devicesOf(t *testing.T, p *Pool, n int) ([]testDevice, string) {
	t.Helper()
	var out []testDevice
	var access string
	for range n {
		_, res := passwordSignIn(t, p, "alice", testPassword)
		d, _ := confirmNewDevice(t, p, res, "device")
		out = append(out, d)
		access = res["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	}
	return out, access
}

func deviceAttr(d map[string]any, name string) any {
	for _, a := range d["DeviceAttributes"].([]any) {
		if a.(map[string]any)["Name"] == name {
			return a.(map[string]any)["Value"]
		}
	}
	return nil
}

func TestGetAndAdminGetDevice(t *testing.T) {
	clock := &mfaClock{now: time.Unix(1_800_000_000, 0)}
	p := newPool(t, Config{Now: clock.Now})
	trackDevices(t, p, true, true, MFAConfig{})
	devs, access := devicesOf(t, p, 1)
	d := devs[0]

	status, out := call(t, p, "GetDevice", map[string]any{"AccessToken": access, "DeviceKey": d.key})
	require.Equal(t, http.StatusOK, status, out)
	got := out["Device"].(map[string]any)
	require.Equal(t, d.key, got["DeviceKey"])
	require.Equal(t, "valid", deviceAttr(got, "device_status"))
	require.Equal(t, "device", deviceAttr(got, "device_name"))
	require.Equal(t, "not_remembered", deviceAttr(got, "dev:device_remembered_status"), "DeviceOnlyRememberedOnUserPrompt")
	require.Equal(t, "192.0.2.1", deviceAttr(got, "last_ip_used"), "the address ConfirmDevice came from (httptest's)")
	require.InDelta(t, float64(clock.now.Unix()), got["DeviceCreateDate"], 0.001)
	require.InDelta(t, float64(clock.now.Unix()), got["DeviceLastAuthenticatedDate"], 0.001)

	clock.now = clock.now.Add(time.Hour)
	status, out = call(t, p, "UpdateDeviceStatus", map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceRememberedStatus": "remembered"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "AdminGetDevice", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "DeviceKey": d.key})
	require.Equal(t, http.StatusOK, status, out)
	got = out["Device"].(map[string]any)
	require.Equal(t, "remembered", deviceAttr(got, "dev:device_remembered_status"))
	require.InDelta(t, float64(clock.now.Unix()), got["DeviceLastModifiedDate"], 0.001)

	status, out = call(t, p, "AdminUpdateDeviceStatus", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "DeviceKey": d.key, "DeviceRememberedStatus": "not_remembered"})
	require.Equal(t, http.StatusOK, status, out)
	_, out = call(t, p, "GetDevice", map[string]any{"AccessToken": access, "DeviceKey": d.key})
	require.Equal(t, "not_remembered", deviceAttr(out["Device"].(map[string]any), "dev:device_remembered_status"))
}

func TestDeviceOperationRefusals(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	trackDevices(t, p, true, false, MFAConfig{})
	devs, access := devicesOf(t, p, 1)
	d := devs[0]
	_, res := passwordSignIn(t, p, "bob", testPassword)
	bobs, _ := confirmNewDevice(t, p, res, "")
	unknown := "local_00000000-0000-4000-8000-000000000000"
	pool, alice := p.PoolID(), "alice"

	for _, key := range []string{unknown, bobs.key} {
		requireAPIError(t, p, "GetDevice", map[string]any{"AccessToken": access, "DeviceKey": key}, codeResourceNotFound, "Device does not exist.")
		requireAPIError(t, p, "UpdateDeviceStatus", map[string]any{"AccessToken": access, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}, codeResourceNotFound, "Device does not exist.")
		requireAPIError(t, p, "ForgetDevice", map[string]any{"AccessToken": access, "DeviceKey": key}, codeResourceNotFound, "Device does not exist.")
		requireAPIError(t, p, "AdminGetDevice", map[string]any{"UserPoolId": pool, "Username": alice, "DeviceKey": key}, codeResourceNotFound, "Device does not exist.")
		requireAPIError(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": pool, "Username": alice, "DeviceKey": key}, codeResourceNotFound, "Device does not exist.")
		requireAPIError(t, p, "AdminUpdateDeviceStatus", map[string]any{"UserPoolId": pool, "Username": alice, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}, codeResourceNotFound, "Device does not exist.")
	}
	requireAPIError(t, p, "UpdateDeviceStatus", map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceRememberedStatus": "maybe"}, codeInvalidParameter, "")
	requireAPIError(t, p, "UpdateDeviceStatus", map[string]any{"AccessToken": access, "DeviceKey": d.key}, codeInvalidParameter, "")
	requireAPIError(t, p, "GetDevice", map[string]any{"DeviceKey": d.key}, codeInvalidParameter, "Missing required parameter AccessToken")
	requireAPIError(t, p, "GetDevice", map[string]any{"AccessToken": access}, codeInvalidParameter, "")
	requireAPIError(t, p, "ForgetDevice", map[string]any{"AccessToken": "not-a-token", "DeviceKey": d.key}, codeNotAuthorized, "Invalid Access Token")
	requireAPIError(t, p, "ListDevices", map[string]any{}, codeInvalidParameter, "")
	// AdminGetDevice and AdminListDevices have no UserNotFoundException in
	// their model; the Admin operations that do answer with it.
	requireAPIError(t, p, "AdminGetDevice", map[string]any{"UserPoolId": pool, "Username": "nobody", "DeviceKey": d.key}, codeResourceNotFound, "User does not exist.")
	requireAPIError(t, p, "AdminListDevices", map[string]any{"UserPoolId": pool, "Username": "nobody"}, codeResourceNotFound, "User does not exist.")
	requireAPIError(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": pool, "Username": "nobody", "DeviceKey": d.key}, codeUserNotFound, "User does not exist.")
	requireAPIError(t, p, "AdminUpdateDeviceStatus", map[string]any{"UserPoolId": pool, "Username": "nobody", "DeviceKey": d.key, "DeviceRememberedStatus": "remembered"}, codeUserNotFound, "User does not exist.")
	requireAPIError(t, p, "AdminListDevices", map[string]any{"UserPoolId": "us-east-1_Other", "Username": alice}, codeResourceNotFound, "User pool does not exist.")
	requireAPIError(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": pool, "Username": alice}, codeInvalidParameter, "")

	// A signed-out user's token no longer reaches the devices.
	status, out := call(t, p, "GlobalSignOut", map[string]any{"AccessToken": access})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "ListDevices", map[string]any{"AccessToken": access}, codeNotAuthorized, "")
}

// TestForgetDevice: a forgotten device is gone from every operation, by
// the user or the admin.
func TestForgetDevice(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	devs, access := devicesOf(t, p, 2)
	status, out := call(t, p, "ForgetDevice", map[string]any{"AccessToken": access, "DeviceKey": devs[0].key})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "GetDevice", map[string]any{"AccessToken": access, "DeviceKey": devs[0].key}, codeResourceNotFound, "Device does not exist.")
	status, out = call(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": p.PoolID(), "Username": "ALICE", "DeviceKey": devs[1].key})
	require.Equal(t, http.StatusOK, status, out)
	_, out = call(t, p, "ListDevices", map[string]any{"AccessToken": access})
	require.Empty(t, out["Devices"])
	require.NotContains(t, out, "PaginationToken")
}

// from serves h to requests from remoteAddr.
func from(h http.Handler, remoteAddr string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.RemoteAddr = remoteAddr
		h.ServeHTTP(w, r)
	})
}

// TestDeviceLastIPAndAuthenticatedDate: each device sign-in records when
// and from where it was made: DeviceLastAuthenticatedDate, "the date when
// the user last signed in with the device", and the last_ip_used
// attribute, the "last-access source IP" of DeviceAttributes (API
// reference, DeviceType; AdminListDevices' example lists last_ip_used).
// The reference does not say which calls count as an access: the pool
// counts the confirmation and each device proof, not the other device
// operations, and a wrong proof changes nothing.
func TestDeviceLastIPAndAuthenticatedDate(t *testing.T) {
	// The verifier behind access tokens reads the clock from its own
	// goroutines: an atomic one.
	var clock atomic.Int64
	clock.Store(1_800_000_000)
	now := func() time.Time { return time.Unix(clock.Load(), 0) }
	later := func() { clock.Add(3600) }
	p := newPool(t, Config{Now: now})
	trackDevices(t, p, true, false, MFAConfig{})
	devs, access := devicesOf(t, p, 1)
	d := devs[0]
	get := func() map[string]any {
		status, out := call(t, p, "AdminGetDevice", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice", "DeviceKey": d.key})
		require.Equal(t, http.StatusOK, status, out)
		return out["Device"].(map[string]any)
	}
	// signInAndProve signs alice in with the device's key and answers its
	// challenge with password, from the address addr.
	signInAndProve := func(addr, password string) (int, map[string]any) {
		status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword, "DEVICE_KEY": d.key}})
		require.Equal(t, http.StatusOK, status, out)
		return proveDeviceVia(t, from(p, addr), p.PoolID(), out, d, password, now())
	}
	confirmed := now()
	require.Equal(t, "192.0.2.1", deviceAttr(get(), "last_ip_used"))

	// Other device operations, from elsewhere, are no sign-in.
	later()
	status, out := call(t, from(p, "198.51.100.7:4000"), "UpdateDeviceStatus", map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceRememberedStatus": "remembered"})
	require.Equal(t, http.StatusOK, status, out)
	got := get()
	require.Equal(t, "192.0.2.1", deviceAttr(got, "last_ip_used"))
	require.InDelta(t, float64(confirmed.Unix()), got["DeviceLastAuthenticatedDate"], 0.001)

	// A wrong device password, from elsewhere, changes nothing.
	later()
	status, _ = signInAndProve("198.51.100.7:4000", "not the device password")
	require.Equal(t, http.StatusBadRequest, status)
	got = get()
	require.Equal(t, "192.0.2.1", deviceAttr(got, "last_ip_used"))
	require.InDelta(t, float64(confirmed.Unix()), got["DeviceLastAuthenticatedDate"], 0.001)

	// The device's proof, over IPv6 loopback, is the last access.
	status, out = signInAndProve("[::1]:5555", d.password)
	require.Equal(t, http.StatusOK, status, out)
	got = get()
	require.Equal(t, "::1", deviceAttr(got, "last_ip_used"))
	require.InDelta(t, float64(now().Unix()), got["DeviceLastAuthenticatedDate"], 0.001)

	// A request with no IP address (a server on a Unix socket) leaves
	// the one known.
	later()
	status, out = signInAndProve("@", d.password)
	require.Equal(t, http.StatusOK, status, out)
	got = get()
	require.Equal(t, "::1", deviceAttr(got, "last_ip_used"))
	require.InDelta(t, float64(now().Unix()), got["DeviceLastAuthenticatedDate"], 0.001)
}

// refreshOn refreshes a refresh token with REFRESH_TOKEN_AUTH, presenting
// deviceKey as DEVICE_KEY.
func refreshOn(t *testing.T, p *Pool, refresh, deviceKey string) (int, map[string]any) {
	t.Helper()
	return call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh, "DEVICE_KEY": deviceKey}})
}

// TestForgetDeviceRevokesItsRefreshTokens: forgetting a device ends the
// refresh tokens of the sign-ins made on it, and only those. The
// developer guide ("Working with user devices in your user pool") and
// the API reference (ForgetDevice, AdminForgetDevice: "the user can no
// longer complete device authentication with that device") do not say
// it; AWS's announcement of device tracking does: "the ForgetDevice API
// can be used to forget that specific device, and as a result, all
// future calls to revalidate that device's refresh tokens will fail"
// (aws.amazon.com/blogs/mobile/tracking-and-remembering-devices-using-amazon-cognito-your-user-pools).
// Cognito documents no message for it: the pool answers "Invalid Refresh
// Token", what Cognito is seen to answer a refresh token presented with
// a device it was not issued for. The announcement speaks of refresh
// tokens only: the access token of the forgotten device's sign-in still
// lists the devices left.
func TestForgetDeviceRevokesItsRefreshTokens(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	var devs []testDevice
	var refresh []string
	for range 3 {
		_, res := passwordSignIn(t, p, "alice", testPassword)
		d, _ := confirmNewDevice(t, p, res, "device")
		devs = append(devs, d)
		refresh = append(refresh, res["AuthenticationResult"].(map[string]any)["RefreshToken"].(string))
	}
	for i := range devs {
		status, out := refreshOn(t, p, refresh[i], devs[i].key)
		require.Equal(t, http.StatusOK, status, out)
	}
	access := func(i int) string {
		_, out := refreshOn(t, p, refresh[i], devs[i].key)
		return out["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	}

	first := access(0)
	status, out := call(t, p, "ForgetDevice", map[string]any{"AccessToken": first, "DeviceKey": devs[0].key})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "ListDevices", map[string]any{"AccessToken": first})
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, out["Devices"], 2)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh[0], "DEVICE_KEY": devs[0].key}}, codeNotAuthorized, errRefreshInvalid.Message)

	status, out = call(t, p, "AdminForgetDevice", map[string]any{"UserPoolId": p.PoolID(), "Username": "ALICE", "DeviceKey": devs[1].key})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh[1], "DEVICE_KEY": devs[1].key}}, codeNotAuthorized, errRefreshInvalid.Message)

	// The device kept, and its sign-in, are untouched. (The token
	// endpoint refreshes no API sign-in of a pool that remembers devices:
	// TestTokenEndpointLeavesRememberedDevicesToTheAPI.)
	status, out = refreshOn(t, p, refresh[2], devs[2].key)
	require.Equal(t, http.StatusOK, status, out)
	// A refused forget (a key the user does not have) revokes nothing.
	requireAPIError(t, p, "ForgetDevice", map[string]any{"AccessToken": access(2), "DeviceKey": devs[0].key}, codeResourceNotFound, errDeviceNotFound.Message)
	status, out = refreshOn(t, p, refresh[2], devs[2].key)
	require.Equal(t, http.StatusOK, status, out)
}

// TestRefreshTokenStaysOnItsDevice: "With device tracking, these tokens
// are linked to a single device. If a refresh token is used on any other
// device, the call fails" (AWS's announcement of device tracking,
// aws.amazon.com/blogs/mobile/tracking-and-remembering-devices-using-amazon-cognito-your-user-pools).
// The API reference gives no message: the pool answers "Invalid Refresh
// Token", as Cognito is seen to. Nor does it say what a refresh without
// DEVICE_KEY gets (GetTokensFromRefreshToken: "You must provide the
// confirmed device key in this request if device remembering is
// enabled"): the pool lets it through, as server-side refreshes send
// none. A token of a sign-in made before the pool tracked devices is on
// no device, and refreshes with any key.
func TestRefreshTokenStaysOnItsDevice(t *testing.T) {
	p := newPool(t, Config{})
	_, before := passwordSignIn(t, p, "alice", testPassword)
	trackDevices(t, p, true, false, MFAConfig{})
	var devs []testDevice
	var refresh []string
	for range 2 {
		_, res := passwordSignIn(t, p, "alice", testPassword)
		d, _ := confirmNewDevice(t, p, res, "device")
		devs = append(devs, d)
		refresh = append(refresh, res["AuthenticationResult"].(map[string]any)["RefreshToken"].(string))
	}
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh[0], "DEVICE_KEY": devs[1].key}}, codeNotAuthorized, errRefreshInvalid.Message)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh[1], "DEVICE_KEY": "us-east-1_00000000-0000-0000-0000-000000000000"}}, codeNotAuthorized, errRefreshInvalid.Message)
	// The refusal costs the token nothing on its own device.
	for i := range devs {
		status, out := refreshOn(t, p, refresh[i], devs[i].key)
		require.Equal(t, http.StatusOK, status, out)
		claims := payload(t, out["AuthenticationResult"].(map[string]any)["AccessToken"].(string))
		require.Equal(t, devs[i].key, claims["device_key"])
	}
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh[0]}})
	require.Equal(t, http.StatusOK, status, out)
	status, out = refreshOn(t, p, before["AuthenticationResult"].(map[string]any)["RefreshToken"].(string), devs[0].key)
	require.Equal(t, http.StatusOK, status, out)
}

// TestListDevicesPages: pages of Limit devices (0 to 60, QueryLimitType;
// 0 or absent gives 60), a PaginationToken on every page but the last,
// pending keys never listed; a token not from a listing is refused.
func TestListDevicesPages(t *testing.T) {
	p := newPool(t, Config{})
	trackDevices(t, p, true, false, MFAConfig{})
	devs, access := devicesOf(t, p, 5)
	_, _ = passwordSignIn(t, p, "alice", testPassword) // a pending key
	var want []string
	for _, d := range devs {
		want = append(want, d.key)
	}
	slices.Sort(want)

	for _, in := range []map[string]any{
		{"AccessToken": access, "Limit": 2},
		{"UserPoolId": p.PoolID(), "Username": "alice", "Limit": 2},
	} {
		op := "ListDevices"
		if _, admin := in["UserPoolId"]; admin {
			op = "AdminListDevices"
		}
		var got []string
		pages := 0
		for {
			status, out := call(t, p, op, in)
			require.Equal(t, http.StatusOK, status, out)
			pages++
			for _, d := range out["Devices"].([]any) {
				got = append(got, d.(map[string]any)["DeviceKey"].(string))
			}
			tok, more := out["PaginationToken"]
			if !more {
				break
			}
			in["PaginationToken"] = tok
		}
		require.Equal(t, want, got, op)
		require.Equal(t, 3, pages, op)
	}
	_, out := call(t, p, "ListDevices", map[string]any{"AccessToken": access, "Limit": 0})
	require.Len(t, out["Devices"], 5)
	requireAPIError(t, p, "ListDevices", map[string]any{"AccessToken": access, "Limit": 61}, codeInvalidParameter, "")
	requireAPIError(t, p, "ListDevices", map[string]any{"AccessToken": access, "PaginationToken": "bm90IGEgdG9rZW4"}, codeInvalidParameter, "Invalid pagination token.")
}
