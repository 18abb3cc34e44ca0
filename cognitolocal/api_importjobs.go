package cognitolocal

import (
	"context"
	"maps"
	"slices"
	"time"
)

// The JSON API operations of user import jobs: GetCSVHeader,
// CreateUserImportJob, StartUserImportJob, StopUserImportJob,
// DescribeUserImportJob and ListUserImportJobs (importjobs.go has the
// import itself).

// errPrecondition answers a job in the wrong status for the operation:
// StartUserImportJob and StopUserImportJob list
// PreconditionNotMetException among their errors.
const codePrecondition = "PreconditionNotMetException"

var errJobNotFound = apiErr(codeResourceNotFound, "Import job does not exist.")

type getCSVHeaderInput struct {
	UserPoolID string `json:"UserPoolId"`
}

type getCSVHeaderOutput struct {
	UserPoolID string   `json:"UserPoolId"`
	CSVHeader  []string `json:"CSVHeader"`
}

func (p *Pool) getCSVHeader(_ context.Context, in *getCSVHeaderInput) (*getCSVHeaderOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return &getCSVHeaderOutput{UserPoolID: p.poolID, CSVHeader: p.csvHeaderLocked()}, nil
}

// userImportJobType is UserImportJobType.
type userImportJobType struct {
	JobName               string `json:"JobName"`
	JobID                 string `json:"JobId"`
	UserPoolID            string `json:"UserPoolId"`
	PreSignedURL          string `json:"PreSignedUrl"`
	CreationDate          epoch  `json:"CreationDate"`
	StartDate             *epoch `json:"StartDate,omitempty"`
	CompletionDate        *epoch `json:"CompletionDate,omitempty"`
	Status                string `json:"Status"`
	CloudWatchLogsRoleArn string `json:"CloudWatchLogsRoleArn"`
	ImportedUsers         int64  `json:"ImportedUsers"`
	SkippedUsers          int64  `json:"SkippedUsers"`
	FailedUsers           int64  `json:"FailedUsers"`
	CompletionMessage     string `json:"CompletionMessage,omitempty"`
}

type userImportJobOutput struct {
	UserImportJob userImportJobType `json:"UserImportJob"`
}

// jobTypeLocked answers a job as UserImportJobType.
func (p *Pool) jobTypeLocked(j *importJob) userImportJobType {
	out := userImportJobType{
		JobName: j.Name, JobID: j.ID, UserPoolID: p.poolID,
		PreSignedURL: p.svc.baseURL + importUploadPath + j.Token,
		CreationDate: epochOf(j.Created), Status: j.statusAt(p.now()),
		CloudWatchLogsRoleArn: j.RoleARN,
		ImportedUsers:         j.Imported, SkippedUsers: j.Skipped, FailedUsers: j.Failed,
		CompletionMessage: j.Message,
	}
	stamp := func(t time.Time) *epoch {
		if t.IsZero() {
			return nil
		}
		e := epochOf(t)
		return &e
	}
	out.StartDate, out.CompletionDate = stamp(j.Started), stamp(j.Completed)
	return out
}

type createUserImportJobInput struct {
	JobName               string `json:"JobName"`
	UserPoolID            string `json:"UserPoolId"`
	CloudWatchLogsRoleArn string `json:"CloudWatchLogsRoleArn"`
}

// createUserImportJob creates a job in status Created with its
// pre-signed URL. JobName and CloudWatchLogsRoleArn are checked against
// the model by validateMembers; the role is kept, never assumed.
func (p *Pool) createUserImportJob(_ context.Context, in *createUserImportJobInput) (*userImportJobOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	j := &importJob{
		ID: "import-" + newUUID(), Name: in.JobName, RoleARN: in.CloudWatchLogsRoleArn,
		Status: jobCreated, Token: randomToken(32), Created: p.now(),
	}
	p.importJobs[j.ID] = j
	return &userImportJobOutput{UserImportJob: p.jobTypeLocked(j)}, nil
}

type importJobInput struct {
	UserPoolID string `json:"UserPoolId"`
	JobID      string `json:"JobId"`
}

// jobLocked finds the job a request names.
func (p *Pool) jobLocked(in *importJobInput) (*importJob, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	j := p.importJobs[in.JobID]
	if j == nil {
		return nil, errJobNotFound
	}
	return j, nil
}

// startUserImportJob runs a Created job to its end. "The user pool must
// have at least one auto-verified attribute ... If the user pool has no
// auto-verified attributes, the import job will not start" (the guide's
// "Formatting the CSV file"): the pool refuses the start then.
func (p *Pool) startUserImportJob(_ context.Context, in *importJobInput) (*userImportJobOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, err := p.jobLocked(in)
	if err != nil {
		return nil, err
	}
	if status := j.statusAt(p.now()); status != jobCreated {
		return nil, apiErr(codePrecondition, "Only a job in status Created can be started; this job is "+status+".")
	}
	if len(p.conf().AutoVerifiedAttributes) == 0 {
		return nil, apiErr(codePrecondition, "The user pool has no auto-verified attributes: an import job does not start.")
	}
	p.runImportLocked(j)
	return &userImportJobOutput{UserImportJob: p.jobTypeLocked(j)}, nil
}

// stopUserImportJob stops a job not yet finished. The import runs inside
// StartUserImportJob, so a started job is always finished here; a job
// not started is Stopped (the docs are silent on stopping one).
func (p *Pool) stopUserImportJob(_ context.Context, in *importJobInput) (*userImportJobOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, err := p.jobLocked(in)
	if err != nil {
		return nil, err
	}
	switch status := j.statusAt(p.now()); status {
	case jobCreated, jobPending, jobInProgress:
		j.Status, j.Message, j.Completed, j.file = jobStopped, "Import_Job_Stopped", p.now(), nil
	default:
		return nil, apiErr(codePrecondition, "Only a job not yet finished can be stopped; this job is "+status+".")
	}
	return &userImportJobOutput{UserImportJob: p.jobTypeLocked(j)}, nil
}

func (p *Pool) describeUserImportJob(_ context.Context, in *importJobInput) (*userImportJobOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, err := p.jobLocked(in)
	if err != nil {
		return nil, err
	}
	return &userImportJobOutput{UserImportJob: p.jobTypeLocked(j)}, nil
}

type listUserImportJobsInput struct {
	UserPoolID      string `json:"UserPoolId"`
	MaxResults      *int   `json:"MaxResults"`
	PaginationToken string `json:"PaginationToken"`
}

type listUserImportJobsOutput struct {
	UserImportJobs  []userImportJobType `json:"UserImportJobs"`
	PaginationToken string              `json:"PaginationToken,omitempty"`
}

// listUserImportJobs pages the jobs oldest first. MaxResults is required,
// 1 to 60 (API reference).
func (p *Pool) listUserImportJobs(_ context.Context, in *listUserImportJobsInput) (*listUserImportJobsOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.MaxResults, 1, 60, "maxResults")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	page, next, err := pageOf(slices.Collect(maps.Values(p.importJobs)), jobKey, limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	out := &listUserImportJobsOutput{UserImportJobs: []userImportJobType{}, PaginationToken: next}
	for _, j := range page {
		out.UserImportJobs = append(out.UserImportJobs, p.jobTypeLocked(j))
	}
	return out, nil
}

// jobKey orders jobs by creation, then ID.
func jobKey(j *importJob) string {
	return j.Created.UTC().Format("20060102T150405.000000000") + j.ID
}
