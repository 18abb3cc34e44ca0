package cognitolocal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getOutbox(t *testing.T, p *Pool, host, query string) (*httptest.ResponseRecorder, []Message) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, OutboxPath+query, nil)
	r.Host = host
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	var msgs []Message
	if rec.Code == http.StatusOK {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &msgs), rec.Body.String())
	}
	return rec, msgs
}

func TestOutboxKeepsEveryMessageWithItsFields(t *testing.T) {
	p, now := clockPool(t)
	code := forgot(t, p, "alice")
	msgs := p.Messages(MessageFilter{})
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, Message{
		PoolID: DefaultPoolID, Username: "alice", Kind: MessageForgotPassword, DeliveryMedium: MediumEmail,
		Destination: "alice@example.com", Code: code, Message: "Your verification code is " + code + ".", Time: *now,
	}, m)
}

func TestOutboxFilters(t *testing.T) {
	p, _ := clockPool(t)
	_, err := p.CreateUser("bob", testPassword, map[string]string{"email": "bob@example.com", "email_verified": "true"})
	require.NoError(t, err)
	forgot(t, p, "alice")
	forgot(t, p, "bob")
	assert.Len(t, p.Messages(MessageFilter{}), 2)
	assert.Len(t, p.Messages(MessageFilter{Username: "BOB"}), 1, "usernames compare as the pool compares them")
	assert.Empty(t, p.Messages(MessageFilter{Kind: MessageSignUp}))
	_, ok := p.LastCode("carol", MessageForgotPassword)
	assert.False(t, ok)
}

func TestOutboxIsBounded(t *testing.T) {
	p, _ := clockPool(t)
	p.mu.Lock()
	u := p.userNamed("alice")
	for range maxOutbox + 10 {
		p.deliverLocked(u, MessageVerifyUserAttribute, emailOf(u), "123456", "x")
	}
	p.deliverLocked(u, MessageForgotPassword, emailOf(u), "654321", "y")
	p.mu.Unlock()
	msgs := p.Messages(MessageFilter{})
	require.Len(t, msgs, maxOutbox)
	assert.Equal(t, "654321", msgs[len(msgs)-1].Code, "the newest stays, the oldest go")
}

func TestOutboxOverHTTP(t *testing.T) {
	p, _ := clockPool(t)
	code := forgot(t, p, "alice")
	rec, msgs := getOutbox(t, p, "127.0.0.1:9229", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Len(t, msgs, 1)
	assert.Equal(t, code, msgs[0].Code)
	var raw []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	assert.ElementsMatch(t, []string{"poolId", "username", "kind", "deliveryMedium", "destination", "code", "message", "time"}, keys(raw[0]))

	for _, q := range []string{"?username=alice", "?pool=" + DefaultPoolID, "?kind=ForgotPassword", "?pool=local_Dev&username=ALICE"} {
		_, msgs = getOutbox(t, p, "localhost", q)
		assert.Len(t, msgs, 1, q)
	}
	for _, q := range []string{"?username=bob", "?pool=other", "?kind=SignUp"} {
		rec, msgs = getOutbox(t, p, "[::1]:9229", q)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Empty(t, msgs, q)
		assert.Equal(t, "[]\n", rec.Body.String(), "an empty selection is an empty array")
	}
}

// A page whose DNS name was rebound to 127.0.0.1 sends its own Host: it
// must not read codes and temporary passwords.
func TestOutboxRefusesForeignHosts(t *testing.T) {
	p, _ := clockPool(t)
	forgot(t, p, "alice")
	for _, host := range []string{"evil.example", "evil.example:9229", "10.0.0.1:9229", ""} {
		rec, _ := getOutbox(t, p, host, "")
		assert.Equal(t, http.StatusForbidden, rec.Code, host)
		assert.NotContains(t, rec.Body.String(), "alice")
	}
	r := httptest.NewRequest(http.MethodPost, OutboxPath, nil)
	r.Host = "127.0.0.1"
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

// One dev-issuer serves many pools: GET /local/outbox answers them all,
// and ?pool= picks one.
func TestOutboxAcrossPools(t *testing.T) {
	p, _ := clockPool(t)
	q, err := p.Service().CreatePool(Config{PoolID: "us-east-1_Other0000", Key: testKey(t)})
	require.NoError(t, err)
	_, err = q.CreateUser("alice", testPassword, map[string]string{"email": "alice@other.example", "email_verified": "true"})
	require.NoError(t, err)
	forgot(t, p, "alice")
	// The service finds the pool by the UserPoolId member.
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "alice", "UserPoolId": q.PoolID()})
	require.Equal(t, http.StatusOK, status, out)

	_, all := getOutbox(t, p, "127.0.0.1", "")
	require.Len(t, all, 2)
	_, mine := getOutbox(t, p, "127.0.0.1", "?pool="+q.PoolID())
	require.Len(t, mine, 1)
	assert.Equal(t, "alice@other.example", mine[0].Destination)
	assert.Equal(t, q.PoolID(), mine[0].PoolID)
	assert.Len(t, p.Messages(MessageFilter{}), 1, "a pool's Messages are its own")
}
