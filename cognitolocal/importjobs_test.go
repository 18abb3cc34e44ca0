package cognitolocal

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The import itself, as the developer guide's "Importing users into user
// pools from a CSV file" and "Creating the user import CSV file" pages
// describe it (URLs in api_importjobs_test.go).

// csvFile writes the pool's header, then a row per map (columns left out
// are empty).
func csvFile(t *testing.T, p *Pool, rows ...map[string]string) string {
	t.Helper()
	_, out := call(t, p, "GetCSVHeader", map[string]any{"UserPoolId": DefaultPoolID})
	var header []string
	for _, c := range out["CSVHeader"].([]any) {
		header = append(header, c.(string))
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write(header))
	for _, row := range rows {
		rec := make([]string, len(header))
		for i, c := range header {
			rec[i] = row[c]
		}
		require.NoError(t, w.Write(rec))
	}
	w.Flush()
	return b.String()
}

func runImport(t *testing.T, p *Pool, file string) map[string]any {
	t.Helper()
	job := createJob(t, p)
	rec := upload(t, p, job, file)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	jobCall(t, p, "StartUserImportJob", job)
	return jobCall(t, p, "DescribeUserImportJob", job)
}

func TestImportCreatesUsersThatMustResetTheirPassword(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := runImport(t, p, csvFile(t, p,
		map[string]string{"cognito:username": "bob", "email": "bob@example.com", "email_verified": "true", "cognito:mfa_enabled": "false", "given_name": "Bob", "custom:tenant_id": "acme"},
		map[string]string{"cognito:username": "carol", "email": "carol@example.com", "email_verified": "TRUE", "phone_number": "+15555550100", "phone_number_verified": "false", "cognito:mfa_enabled": "true"},
	))
	require.Equal(t, "Succeeded", job["Status"])
	require.Equal(t, float64(2), job["ImportedUsers"])
	require.Equal(t, float64(0), job["FailedUsers"])
	require.Equal(t, float64(0), job["SkippedUsers"])
	require.Equal(t, "Import_Job_Completed", job["CompletionMessage"], "the model's pattern for CompletionMessage is [\\w]+")
	require.Equal(t, float64(now.Unix()), job["StartDate"])
	require.Equal(t, float64(now.Unix()), job["CompletionDate"])

	// "Your users are in a RESET_REQUIRED state when imported", with the
	// attributes of their row.
	_, bob := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "bob"})
	require.Equal(t, "RESET_REQUIRED", bob["UserStatus"])
	attrs := map[string]string{}
	for _, a := range bob["UserAttributes"].([]any) {
		attrs[a.(map[string]any)["Name"].(string)] = a.(map[string]any)["Value"].(string)
	}
	require.Equal(t, "bob@example.com", attrs["email"])
	require.Equal(t, "true", attrs["email_verified"])
	require.Equal(t, "Bob", attrs["given_name"])
	require.Equal(t, "acme", attrs["custom:tenant_id"])
	require.NotEmpty(t, attrs["sub"])
	_, carol := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "carol"})
	require.Contains(t, carol["UserMFASettingList"], "SMS_MFA", "cognito:mfa_enabled true turns on SMS MFA")

	// Sign-in answers PasswordResetRequiredException whatever the
	// password: the user has none.
	requireAPIError(t, p, "InitiateAuth", map[string]any{"ClientId": DefaultClientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "Any-Passw0rd!"}}, "PasswordResetRequiredException", "")
	// ForgotPassword sends a code to the verified email, and
	// ConfirmForgotPassword sets a password the user signs in with.
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "bob"})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("bob", MessageForgotPassword)
	require.True(t, ok)
	status, out = call(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "InitiateAuth", map[string]any{"ClientId": DefaultClientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "N3w-Passw0rd!"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}

func TestImportCountsRowsThatBreakTheGuidesRules(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	ok := func(name string) map[string]string {
		return map[string]string{"cognito:username": name, "email": name + "@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}
	}
	with := func(m map[string]string, k, v string) map[string]string {
		m[k] = v
		return m
	}
	job := runImport(t, p, csvFile(t, p,
		ok("dave"),
		ok("alice"),                              // already in the pool
		ok("dave"),                               // twice in the file
		with(ok("erin"), "cognito:username", ""), // cognito:username is required
		with(ok("frank"), "cognito:mfa_enabled", ""), // cognito:mfa_enabled is required
		with(ok("gina"), "cognito:mfa_enabled", "maybe"),
		with(ok("hank"), "email_verified", "yes"),
		with(ok("ivan"), "email", ""),                   // email_verified true needs the email
		with(ok("jane"), "email_verified", "false"),     // the pool's auto-verified attribute must be verified
		with(ok("kurt"), "cognito:mfa_enabled", "true"), // MFA without a phone number
		with(ok("lena"), "custom:tenant_id", strings.Repeat("x", 2049)),
		ok("mona"),
	))
	require.Equal(t, "Succeeded", job["Status"])
	require.Equal(t, float64(2), job["ImportedUsers"], "dave and mona")
	require.Equal(t, float64(10), job["FailedUsers"])
	_, listed := call(t, p, "ListUsers", map[string]any{"UserPoolId": DefaultPoolID})
	require.Len(t, listed["Users"], 3, "alice, dave and mona")
	_, alice := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "alice"})
	require.Equal(t, "CONFIRMED", alice["UserStatus"], "a user already in the pool is left as it was")
}

func TestImportHonoursRequiredAttributes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	// As CreateUserPool's Schema with Required true for email and name.
	s := *p.conf()
	s.Required = []string{"email", "name"}
	p.settings.Store(&s)
	row := map[string]string{"cognito:username": "bob", "email": "bob@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}
	named := map[string]string{"cognito:username": "nat", "name": "Nat", "email": "nat@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}
	job := runImport(t, p, csvFile(t, p, row, named))
	require.Equal(t, float64(1), job["ImportedUsers"], "Any attributes that you marked as required")
	require.Equal(t, float64(1), job["FailedUsers"])
}

func TestImportFailsOnAHeaderThatIsNotThePools(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	full := csvFile(t, p)
	header := strings.TrimSpace(full)
	row := "\n" + strings.Repeat(",", strings.Count(header, ","))
	for name, file := range map[string]string{
		"a column missing":  strings.Replace(header, "cognito:mfa_enabled,", "", 1) + row,
		"an unknown column": header + ",favourite_colour" + row + ",",
		"a column twice":    strings.Replace(header, "name,", "name,name,", 1) + row + ",",
		"no header":         "",
	} {
		job := runImport(t, p, file)
		require.Equal(t, "Failed", job["Status"], name)
		require.Regexp(t, `^\w+$`, job["CompletionMessage"], name)
		require.Equal(t, float64(0), job["ImportedUsers"], name)
	}
	// "The order of columns in the CSV file doesn't matter."
	cols := strings.Split(header, ",")
	for i, j := 0, len(cols)-1; i < j; i, j = i+1, j-1 {
		cols[i], cols[j] = cols[j], cols[i]
	}
	values := make([]string, len(cols))
	for i, c := range cols {
		values[i] = map[string]string{"cognito:username": "zed", "email": "zed@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}[c]
	}
	job := runImport(t, p, strings.Join(cols, ",")+"\n"+strings.Join(values, ",")+"\n")
	require.Equal(t, "Succeeded", job["Status"])
	require.Equal(t, float64(1), job["ImportedUsers"])
	// A row of the wrong width fails alone.
	job = runImport(t, p, header+"\nonly,three,fields\n")
	require.Equal(t, "Succeeded", job["Status"])
	require.Equal(t, float64(1), job["FailedUsers"])
}

func TestStartWithoutAnUploadFails(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := jobCall(t, p, "StartUserImportJob", createJob(t, p))
	require.Equal(t, "Failed", job["Status"])
	require.Equal(t, "No_CSV_file_was_uploaded_to_the_PreSignedUrl", job["CompletionMessage"])
}

func TestUploadRefusesWrongRequests(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := createJob(t, p)
	put := func(path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, path, strings.NewReader(body)))
		return rec
	}
	// Only PUT, as curl -T sends.
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(job["PreSignedUrl"].(string), DefaultBaseURL), nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, http.StatusForbidden, put(importUploadPath+"not-a-token", "x").Code)
	require.Equal(t, http.StatusForbidden, put(importUploadPath, "x").Code)
	// The file is bounded.
	defer func(n int64) { maxImportFile = n }(maxImportFile)
	maxImportFile = 8
	require.Equal(t, http.StatusBadRequest, upload(t, p, job, "123456789").Code)
	require.Equal(t, http.StatusOK, upload(t, p, job, "12345678").Code)
	// The URL is "valid for 15 minutes".
	now = now.Add(15 * time.Minute)
	require.Equal(t, http.StatusForbidden, upload(t, p, job, "x").Code)
	// A started job takes no new file.
	late := createJob(t, p)
	jobCall(t, p, "StartUserImportJob", late)
	require.Equal(t, http.StatusForbidden, upload(t, p, late, "x").Code)
}

func TestImportedUsersAndJobsSurviveARestart(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := runImport(t, p, csvFile(t, p, map[string]string{"cognito:username": "bob", "email": "bob@example.com", "email_verified": "true", "cognito:mfa_enabled": "false"}))
	var saved bytes.Buffer
	require.NoError(t, p.SaveState(&saved))
	q := importPool(t, &now)
	require.NoError(t, q.LoadState(&saved))
	require.Equal(t, job, jobCall(t, q, "DescribeUserImportJob", job))
	_, bob := call(t, q, "AdminGetUser", map[string]any{"UserPoolId": DefaultPoolID, "Username": "bob"})
	require.Equal(t, "RESET_REQUIRED", bob["UserStatus"])
	requireAPIError(t, q, "InitiateAuth", map[string]any{"ClientId": DefaultClientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "Any-Passw0rd!"}}, "PasswordResetRequiredException", "")
}
