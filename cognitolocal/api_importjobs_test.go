package cognitolocal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetCSVHeader.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserImportJob.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StartUserImportJob.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StopUserImportJob.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserImportJob.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUserImportJobs.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-csv-header.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-creating-import-job.html

const testRoleARN = "arn:aws:iam::000000000000:role/CognitoImport"

// importPool is newPool with email auto-verified, which an import needs,
// on a clock the test moves.
func importPool(t *testing.T, now *time.Time) *Pool {
	t.Helper()
	return newPool(t, Config{AutoVerifiedAttributes: []string{"email"}, Now: func() time.Time { return *now }})
}

func createJob(t *testing.T, p *Pool) map[string]any {
	t.Helper()
	status, out := call(t, p, "CreateUserImportJob", map[string]any{"JobName": "migration 1", "UserPoolId": DefaultPoolID, "CloudWatchLogsRoleArn": testRoleARN})
	require.Equal(t, http.StatusOK, status, out)
	return out["UserImportJob"].(map[string]any)
}

// upload PUTs body to the job's PreSignedUrl as the guide's curl does.
func upload(t *testing.T, p *Pool, job map[string]any, body string) *httptest.ResponseRecorder {
	t.Helper()
	u, err := url.Parse(job["PreSignedUrl"].(string))
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPut, u.RequestURI(), strings.NewReader(body))
	r.Header.Set("x-amz-server-side-encryption", "aws:kms")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	return rec
}

func jobCall(t *testing.T, p *Pool, op string, job map[string]any) map[string]any {
	t.Helper()
	status, out := call(t, p, op, map[string]any{"UserPoolId": DefaultPoolID, "JobId": job["JobId"]})
	require.Equal(t, http.StatusOK, status, out)
	return out["UserImportJob"].(map[string]any)
}

func TestGetCSVHeaderListsThePoolsColumnsInCognitosOrder(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	status, out := call(t, p, "GetCSVHeader", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, http.StatusOK, status, out)
	// The guide's sample answer, with the pool's custom attribute where
	// the guide's CLI output shows one: after updated_at, before
	// cognito:mfa_enabled and cognito:username.
	require.Equal(t, []any{
		"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
		"picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
		"phone_number", "phone_number_verified", "address", "updated_at", "custom:tenant_id",
		"cognito:mfa_enabled", "cognito:username",
	}, out["CSVHeader"])
	require.Equal(t, DefaultPoolID, out["UserPoolId"])
	requireAPIError(t, p, "GetCSVHeader", map[string]any{"UserPoolId": "us-east-1_Nobody0"}, codeResourceNotFound, "")
	requireAPIError(t, p, "GetCSVHeader", map[string]any{}, codeInvalidParameter,
		"1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must not be null")
}

func TestCreateUserImportJobAnswersACreatedJobWithAnUploadURL(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := createJob(t, p)
	require.Equal(t, "Created", job["Status"], "Created: the job was created but not started")
	require.Regexp(t, `^import-[0-9a-zA-Z-]+$`, job["JobId"])
	require.LessOrEqual(t, len(job["JobId"].(string)), 55)
	require.Equal(t, "migration 1", job["JobName"])
	require.Equal(t, testRoleARN, job["CloudWatchLogsRoleArn"])
	require.Equal(t, float64(now.Unix()), job["CreationDate"])
	require.NotContains(t, job, "StartDate")
	require.True(t, strings.HasPrefix(job["PreSignedUrl"].(string), DefaultBaseURL+importUploadPath), job["PreSignedUrl"])
	other := createJob(t, p)
	require.NotEqual(t, job["PreSignedUrl"], other["PreSignedUrl"], "each job has a URL of its own")
	require.NotEqual(t, job["JobId"], other["JobId"])
}

func TestCreateUserImportJobRefusesMembersOutsideTheModel(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	in := func(name, role string) map[string]any {
		m := map[string]any{"UserPoolId": DefaultPoolID, "JobName": name, "CloudWatchLogsRoleArn": role}
		for k, v := range m {
			if v == "" {
				delete(m, k)
			}
		}
		return m
	}
	// JobName: 1 to 128 of [\w\s+=,.@-]; CloudWatchLogsRoleArn: 20 to
	// 2048, the ARN pattern; both required.
	requireAPIError(t, p, "CreateUserImportJob", in("", testRoleARN), codeInvalidParameter,
		"1 validation error detected: Value at 'jobName' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "CreateUserImportJob", in("bad/name", testRoleARN), codeInvalidParameter,
		`1 validation error detected: Value at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`)
	requireAPIError(t, p, "CreateUserImportJob", in(strings.Repeat("j", 129), testRoleARN), codeInvalidParameter,
		"1 validation error detected: Value at 'jobName' failed to satisfy constraint: Member must have length less than or equal to 128")
	requireAPIError(t, p, "CreateUserImportJob", in("job", ""), codeInvalidParameter,
		"1 validation error detected: Value at 'cloudWatchLogsRoleArn' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "CreateUserImportJob", in("job", "arn:too:short"), codeInvalidParameter,
		"1 validation error detected: Value at 'cloudWatchLogsRoleArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
	requireAPIError(t, p, "CreateUserImportJob", in("job", "role CognitoImport in account 0"), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserImportJob", map[string]any{"UserPoolId": "us-east-1_Nobody0", "JobName": "j", "CloudWatchLogsRoleArn": testRoleARN}, codeResourceNotFound, "")
	_, out := call(t, p, "ListUserImportJobs", map[string]any{"UserPoolId": DefaultPoolID, "MaxResults": 60})
	require.Empty(t, out["UserImportJobs"], "a refused job is not created")
}

func TestJobOperationsRefuseUnknownAndMalformedJobIDs(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	for _, op := range []string{"StartUserImportJob", "StopUserImportJob", "DescribeUserImportJob"} {
		// JobId: import-[0-9a-zA-Z-]+, 1 to 55; a job the pool has not
		// is ResourceNotFoundException.
		requireAPIError(t, p, op, map[string]any{"UserPoolId": DefaultPoolID, "JobId": "import-nothere"}, codeResourceNotFound, "")
		requireAPIError(t, p, op, map[string]any{"UserPoolId": DefaultPoolID, "JobId": "job_1"}, codeInvalidParameter,
			"1 validation error detected: Value at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: import-[0-9a-zA-Z-]+")
		requireAPIError(t, p, op, map[string]any{"UserPoolId": DefaultPoolID}, codeInvalidParameter,
			"1 validation error detected: Value at 'jobId' failed to satisfy constraint: Member must not be null")
	}
}

func TestStartAndStopAnswerPreconditionNotMetOutOfTurn(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := createJob(t, p)
	require.Equal(t, http.StatusOK, upload(t, p, job, "cognito:username\n").Code)
	done := jobCall(t, p, "StartUserImportJob", job)
	require.Equal(t, "Failed", done["Status"], "Failed: the job has stopped due to an error (a header without the pool's columns)")
	requireAPIError(t, p, "StartUserImportJob", map[string]any{"UserPoolId": DefaultPoolID, "JobId": job["JobId"]}, "PreconditionNotMetException", "")
	requireAPIError(t, p, "StopUserImportJob", map[string]any{"UserPoolId": DefaultPoolID, "JobId": job["JobId"]}, "PreconditionNotMetException", "")
	// A job not started can be stopped (the docs are silent); it then
	// never starts.
	idle := createJob(t, p)
	stopped := jobCall(t, p, "StopUserImportJob", idle)
	require.Equal(t, "Stopped", stopped["Status"])
	requireAPIError(t, p, "StartUserImportJob", map[string]any{"UserPoolId": DefaultPoolID, "JobId": idle["JobId"]}, "PreconditionNotMetException", "")
}

func TestStartRefusesAPoolWithoutAutoVerifiedAttributes(t *testing.T) {
	p := newPool(t, Config{})
	job := createJob(t, p)
	require.Equal(t, http.StatusOK, upload(t, p, job, "x").Code)
	// "If the user pool has no auto-verified attributes, the import job
	// will not start."
	requireAPIError(t, p, "StartUserImportJob", map[string]any{"UserPoolId": DefaultPoolID, "JobId": job["JobId"]}, "PreconditionNotMetException",
		"The user pool has no auto-verified attributes: an import job does not start.")
	require.Equal(t, "Created", jobCall(t, p, "DescribeUserImportJob", job)["Status"])
}

func TestAJobNotStartedExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	job := createJob(t, p)
	now = now.Add(24 * time.Hour)
	// Expired: "You created a job, but did not start the job within 24-48
	// hours ... the job can't be started."
	require.Equal(t, "Expired", jobCall(t, p, "DescribeUserImportJob", job)["Status"])
	requireAPIError(t, p, "StartUserImportJob", map[string]any{"UserPoolId": DefaultPoolID, "JobId": job["JobId"]}, "PreconditionNotMetException", "")
}

func TestListUserImportJobsPages(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := importPool(t, &now)
	var ids []any
	for range 3 {
		ids = append(ids, createJob(t, p)["JobId"])
		now = now.Add(time.Second)
	}
	var got []any
	token := ""
	for range 3 {
		in := map[string]any{"UserPoolId": DefaultPoolID, "MaxResults": 2}
		if token != "" {
			in["PaginationToken"] = token
		}
		status, out := call(t, p, "ListUserImportJobs", in)
		require.Equal(t, http.StatusOK, status, out)
		for _, j := range out["UserImportJobs"].([]any) {
			got = append(got, j.(map[string]any)["JobId"])
		}
		token, _ = out["PaginationToken"].(string)
		if token == "" {
			break
		}
	}
	require.Equal(t, ids, got, "every job once, oldest first")
	// MaxResults: required, 1 to 60.
	requireAPIError(t, p, "ListUserImportJobs", map[string]any{"UserPoolId": DefaultPoolID}, codeInvalidParameter,
		"1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "ListUserImportJobs", map[string]any{"UserPoolId": DefaultPoolID, "MaxResults": 61}, codeInvalidParameter,
		"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60")
	requireAPIError(t, p, "ListUserImportJobs", map[string]any{"UserPoolId": DefaultPoolID, "MaxResults": 0}, codeInvalidParameter, "")
	requireAPIError(t, p, "ListUserImportJobs", map[string]any{"UserPoolId": DefaultPoolID, "MaxResults": 2, "PaginationToken": "forged"}, codeInvalidParameter, "Invalid pagination token.")
}
