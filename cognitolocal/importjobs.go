package cognitolocal

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The model of user import jobs ("Importing users into user pools from a
// CSV file", developer guide): a job is created, its CSV file is PUT to
// the job's pre-signed URL, and starting the job creates one user per
// row, in RESET_REQUIRED status. The local pool serves the URL itself
// (importUploadPath) and runs the import synchronously inside
// StartUserImportJob, so the statuses seen afterwards are the terminal
// ones; no CloudWatch log is written.

// Job statuses, as UserImportJobStatusType names them.
const (
	jobCreated    = "Created"
	jobPending    = "Pending"
	jobInProgress = "InProgress"
	jobStopped    = "Stopped"
	jobExpired    = "Expired"
	jobFailed     = "Failed"
	jobSucceeded  = "Succeeded"
)

// maxImportFile bounds an uploaded CSV file: the developer guide
// limits the file to 100 MB. A variable for the tests of the bound.
var maxImportFile int64 = 100 << 20

const (
	// uploadValidity is how long a job's pre-signed URL takes a file:
	// "valid for 15 minutes" ("Creating and running the user import
	// job").
	uploadValidity = 15 * time.Minute
	// jobExpiry is when a job never started expires: UserImportJobType,
	// Status Expired, "did not start the job within 24-48 hours"; the
	// pool takes the earliest.
	jobExpiry = 24 * time.Hour
	// importUploadPath starts every job's pre-signed URL on the
	// service's own address.
	importUploadPath = "/_import/"
)

// importJob is a user import job of a pool.
type importJob struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RoleARN  string `json:"cloudWatchLogsRoleArn"`
	Status   string `json:"status"`
	Message  string `json:"completionMessage,omitempty"`
	Imported int64  `json:"importedUsers"`
	Skipped  int64  `json:"skippedUsers"`
	Failed   int64  `json:"failedUsers"`
	// Token is the unguessable last segment of the pre-signed URL.
	Token     string    `json:"uploadToken"`
	Created   time.Time `json:"created"`
	Started   time.Time `json:"started,omitzero"`
	Completed time.Time `json:"completed,omitzero"`
	// file is the uploaded CSV, kept in memory only: a saved state holds
	// the job, not its file, which is uploaded again after a restart.
	file []byte
}

// statusAt is the job's status at now: a job never started is Expired
// once jobExpiry has passed.
func (j *importJob) statusAt(now time.Time) string {
	if j.Status == jobCreated && now.Sub(j.Created) >= jobExpiry {
		return jobExpired
	}
	return j.Status
}

// csvStandardColumns are the standard attribute columns in the order of
// the developer guide's sample GetCSVHeader answer ("Creating the user
// import CSV file"); the pool's custom attributes follow, then
// cognito:mfa_enabled and cognito:username.
var csvStandardColumns = []string{
	"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
	"zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
}

const (
	columnUsername = "cognito:username"
	columnMFA      = "cognito:mfa_enabled"
)

// csvHeaderLocked is the pool's CSV header.
func (p *Pool) csvHeaderLocked() []string {
	cols := slices.Clone(csvStandardColumns)
	cols = append(cols, slices.Sorted(maps.Keys(p.schema))...)
	return append(cols, columnMFA, columnUsername)
}

// errImportRow is why one row was not imported; it is counted in
// FailedUsers, never shown (the guide sends it to CloudWatch Logs,
// which the local pool has not).
var errImportRow = errors.New("row not imported")

// runImportLocked imports the job's file: the header must hold the
// pool's columns, each in any order ("The order of columns in the CSV
// file doesn't matter"; "All columns in the header must be present"),
// and each row that passes the guide's rules creates a user. A file
// that cannot be read fails the job; a row that cannot be imported is
// counted in FailedUsers.
func (p *Pool) runImportLocked(j *importJob) {
	now := p.now()
	j.Started = now
	finish := func(status, message string) {
		j.Status, j.Message, j.Completed, j.file = status, message, p.now(), nil
	}
	if j.file == nil {
		finish(jobFailed, "No_CSV_file_was_uploaded_to_the_PreSignedUrl")
		return
	}
	r := csv.NewReader(bytes.NewReader(j.file))
	header, err := r.Read()
	if err != nil {
		finish(jobFailed, "The_CSV_file_has_no_readable_header")
		return
	}
	want := p.csvHeaderLocked()
	index := map[string]int{}
	for i, col := range header {
		col = strings.TrimPrefix(strings.TrimSpace(col), "\ufeff")
		if _, dup := index[col]; dup || !slices.Contains(want, col) {
			finish(jobFailed, "The_CSV_header_does_not_match_GetCSVHeader")
			return
		}
		index[col] = i
	}
	if len(index) != len(want) {
		finish(jobFailed, "The_CSV_header_does_not_match_GetCSVHeader")
		return
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A row whose field count or quoting is wrong is that row's
			// failure; the reader goes on at the next line.
			if _, bad := errors.AsType[*csv.ParseError](err); bad {
				j.Failed++
				continue
			}
			break
		}
		values := map[string]string{}
		for col, i := range index {
			values[col] = row[i]
		}
		if p.importRowLocked(values) != nil {
			j.Failed++
			continue
		}
		j.Imported++
	}
	finish(jobSucceeded, "Import_Job_Completed")
}

// importRowLocked creates the user of one row. The guide's rules:
// cognito:username and cognito:mfa_enabled are required; email_verified
// and phone_number_verified are true or false, and a verified one needs
// its attribute; at least one of the pool's auto-verified attributes is
// verified; the attributes the pool requires are present. A user already
// in the pool is not replaced.
func (p *Pool) importRowLocked(values map[string]string) error {
	username := values[columnUsername]
	mfa, err := csvBool(values[columnMFA], false)
	if err != nil || username == "" {
		return errImportRow
	}
	attrs := map[string]string{}
	for col, v := range values {
		if col != columnUsername && col != columnMFA && v != "" {
			attrs[col] = v
		}
	}
	verified := false
	for _, pair := range [][2]string{{"email", "email_verified"}, {"phone_number", "phone_number_verified"}} {
		v, err := csvBool(attrs[pair[1]], true)
		if err != nil || v && attrs[pair[0]] == "" {
			return errImportRow
		}
		if _, set := attrs[pair[1]]; set {
			attrs[pair[1]] = map[bool]string{true: "true", false: "false"}[v]
		}
		if v && slices.Contains(p.conf().AutoVerifiedAttributes, pair[0]) {
			verified = true
		}
	}
	if !verified {
		return errImportRow
	}
	if mfa && attrs["phone_number"] == "" {
		// The guide's MFA for imported users is SMS, to the phone number.
		return errImportRow
	}
	if p.checkRequiredLocked(attrs) != nil {
		return errImportRow
	}
	u, err := p.createUserLocked(username, "", attrs, false)
	if err != nil {
		return err
	}
	u.Status, u.Imported = statusResetRequired, true
	if mfa {
		mfaOf(u).SMS = true
	}
	return nil
}

// csvBool reads a CSV boolean: true or false in any case, empty as def
// where the column may be left empty.
func csvBool(v string, emptyOK bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "":
		if emptyOK {
			return false, nil
		}
	}
	return false, errImportRow
}

// serveImportUpload takes a job's CSV file on its pre-signed URL: an
// HTTP PUT, as the guide's curl -T shows, whatever headers it sends
// (x-amz-server-side-encryption:aws:kms among them). S3 would answer a
// wrong URL 403; so does the pool, and a file over the limit 400.
func (s *Service) serveImportUpload(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPut) {
		return
	}
	token := strings.TrimPrefix(r.URL.Path, importUploadPath)
	var pool *Pool
	var job *importJob
	for _, p := range s.Pools() {
		if j := p.jobOfToken(token); j != nil {
			pool, job = p, j
			break
		}
	}
	if job == nil {
		http.Error(w, "AccessDenied: the pre-signed URL names no import job", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportFile))
	if err != nil {
		http.Error(w, "EntityTooLarge: the CSV file exceeds 100 MB or could not be read", http.StatusBadRequest)
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	switch {
	case pool.now().Sub(job.Created) >= uploadValidity:
		http.Error(w, "AccessDenied: the pre-signed URL has expired (15 minutes)", http.StatusForbidden)
		return
	case job.Status != jobCreated:
		http.Error(w, "AccessDenied: the import job has already started", http.StatusForbidden)
		return
	}
	job.file = body
	w.WriteHeader(http.StatusOK)
}

// jobOfToken finds the job whose pre-signed URL ends in token.
func (p *Pool) jobOfToken(token string) *importJob {
	if token == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.importJobs {
		if j.Token == token {
			return j
		}
	}
	return nil
}
