package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// "Managing user existence error responses" shows masked destinations
// such as "j***@e***"; SMS destinations keep the last four digits.
func TestMask(t *testing.T) {
	for _, tc := range []struct {
		d    destination
		want string
	}{
		{destination{medium: MediumEmail, address: "jane@example.com"}, "j***@e***"},
		{destination{medium: MediumEmail, address: "élise@école.fr"}, "é***@é***"},
		{destination{medium: MediumEmail, address: "nodomain"}, "n***@***"},
		{destination{medium: MediumSMS, address: "+12065559934"}, "+*******9934"},
		{destination{medium: MediumSMS, address: "+123"}, "+123"},
	} {
		assert.Equal(t, tc.want, mask(tc.d), tc.d.address)
	}
}

// API reference, AccountRecoverySettingType: without a setting, a
// verified phone number comes before a verified email address.
func TestForgotPasswordPrefersAVerifiedPhone(t *testing.T) {
	p, _ := clockPool(t)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+12065559934", "phone_number_verified": "true"}))
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, map[string]any{"Destination": "+*******9934", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}, out["CodeDeliveryDetails"])
	m := p.Messages(MessageFilter{})
	require.Len(t, m, 1)
	assert.Equal(t, "+12065559934", m[0].Destination)
}

func TestForgotPasswordNeedsAVerifiedContact(t *testing.T) {
	p, _ := clockPool(t)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"email_verified": "false", "phone_number": "+12065559934"}))
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice"}, codeInvalidParameter,
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
	assert.Empty(t, p.Messages(MessageFilter{}))
}

// API reference, AdminCreateUser: DesiredDeliveryMediums defaults to SMS;
// the invitation carries the temporary password.
func TestInvitationsGoToTheDesiredMedia(t *testing.T) {
	p, _ := clockPool(t)
	create := func(name string, extra map[string]any) {
		in := map[string]any{"UserPoolId": DefaultPoolID, "Username": name, "UserAttributes": []map[string]string{
			{"Name": "email", "Value": name + "@example.com"}, {"Name": "phone_number", "Value": "+12065550000"}}}
		for k, v := range extra {
			in[k] = v
		}
		status, out := call(t, p, "AdminCreateUser", in)
		require.Equal(t, http.StatusOK, status, out)
	}
	create("sms", nil)
	create("both", map[string]any{"DesiredDeliveryMediums": []string{"EMAIL", "SMS"}})
	create("quiet", map[string]any{"MessageAction": "SUPPRESS"})
	media := func(name string) []string {
		var out []string
		for _, m := range p.Messages(MessageFilter{Username: name, Kind: MessageAdminCreateUser}) {
			out = append(out, m.DeliveryMedium)
			assert.Contains(t, m.Message, m.Code, "the invitation states the temporary password")
			assert.Contains(t, m.Message, name)
		}
		return out
	}
	assert.Equal(t, []string{"SMS"}, media("sms"))
	assert.Equal(t, []string{"EMAIL", "SMS"}, media("both"))
	assert.Empty(t, media("quiet"))
	requireAPIError(t, p, "AdminCreateUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "x", "DesiredDeliveryMediums": []string{"FAX"}},
		codeInvalidParameter, "")
	requireAPIError(t, p, "AdminCreateUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "x", "MessageAction": "SHOUT"},
		codeInvalidParameter, "")
}
