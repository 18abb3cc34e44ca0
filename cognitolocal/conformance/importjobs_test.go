package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A CSV user import through the AWS CLI v2, the upload by curl as the
// developer guide shows it. Pages:
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-csv-header.html
//   - https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-creating-import-job.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html

func TestAWSCLIUserImport(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	requireClient(t, curl)

	// get-csv-header, create-user-import-job, the file PUT to the
	// PreSignedUrl with `curl -v -T FILE -H
	// x-amz-server-side-encryption:aws:kms "URL"`, start-user-import-job,
	// describe-user-import-job until Succeeded. The imported user is
	// RESET_REQUIRED ("Your users are in a RESET_REQUIRED state when
	// imported"): its sign-in answers PasswordResetRequiredException.
	runCase(t, "aws", "user_import_csv", "", func(t *testing.T) {
		iss := startIssuer(t)
		pool := iss.awsOK(t, "create-user-pool", "--pool-name", "importing", "--auto-verified-attributes", "email")
		poolID, _ := path(t, pool, "UserPool", "Id").(string)
		client := iss.awsOK(t, "create-user-pool-client", "--user-pool-id", poolID, "--client-name", "app",
			"--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
		clientID, _ := path(t, client, "UserPoolClient", "ClientId").(string)

		header := iss.awsOK(t, "get-csv-header", "--user-pool-id", poolID)
		var cols []string
		for _, c := range header["CSVHeader"].([]any) {
			cols = append(cols, c.(string))
		}
		if len(cols) < 3 || cols[0] != "name" || cols[len(cols)-2] != "cognito:mfa_enabled" || cols[len(cols)-1] != "cognito:username" {
			t.Fatalf("CSVHeader %v: want name first, then cognito:mfa_enabled and cognito:username last", cols)
		}
		values := map[string]string{"cognito:username": "imported", "email": "imported@example.com",
			"email_verified": "true", "cognito:mfa_enabled": "false", "given_name": "Ima"}
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = values[c]
		}
		file := filepath.Join(t.TempDir(), "users.csv")
		if err := os.WriteFile(file, []byte(strings.Join(cols, ",")+"\n"+strings.Join(row, ",")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}

		created := iss.awsOK(t, "create-user-import-job", "--job-name", "cli import", "--user-pool-id", poolID,
			"--cloud-watch-logs-role-arn", "arn:aws:iam::000000000000:role/CognitoImport")
		jobID, _ := path(t, created, "UserImportJob", "JobId").(string)
		url, _ := path(t, created, "UserImportJob", "PreSignedUrl").(string)
		if got := path(t, created, "UserImportJob", "Status"); got != "Created" || jobID == "" || url == "" {
			t.Fatalf("UserImportJob %v: want Status Created, a JobId and a PreSignedUrl", created)
		}
		if _, stderr, err := iss.run(t, "", curl, "-sS", "-f", "-T", file, "-H", "x-amz-server-side-encryption:aws:kms", url); err != nil {
			t.Fatalf("curl -T to the PreSignedUrl: %v\n%s", err, stderr)
		}

		iss.awsOK(t, "start-user-import-job", "--user-pool-id", poolID, "--job-id", jobID)
		var job map[string]any
		for range 20 {
			job = iss.awsOK(t, "describe-user-import-job", "--user-pool-id", poolID, "--job-id", jobID)
			if s := path(t, job, "UserImportJob", "Status"); s != "Pending" && s != "InProgress" {
				break
			}
		}
		if s := path(t, job, "UserImportJob", "Status"); s != "Succeeded" {
			t.Fatalf("Status %v, want Succeeded: %v", s, job)
		}
		if n := path(t, job, "UserImportJob", "ImportedUsers"); n != float64(1) {
			t.Fatalf("ImportedUsers %v, want 1", n)
		}
		listed := iss.awsOK(t, "list-user-import-jobs", "--user-pool-id", poolID, "--max-results", "10")
		if jobs, _ := listed["UserImportJobs"].([]any); len(jobs) != 1 {
			t.Fatalf("UserImportJobs %v, want the one job", listed["UserImportJobs"])
		}
		user := iss.awsOK(t, "admin-get-user", "--user-pool-id", poolID, "--username", "imported")
		if user["UserStatus"] != "RESET_REQUIRED" {
			t.Fatalf("UserStatus %v, want RESET_REQUIRED", user["UserStatus"])
		}
		iss.awsRefused(t, "PasswordResetRequiredException", "initiate-auth", "--client-id", clientID,
			"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME=imported,PASSWORD=Any-Passw0rd-1")
		iss.awsRefused(t, "PreconditionNotMetException", "start-user-import-job", "--user-pool-id", poolID, "--job-id", jobID)
	})
}
