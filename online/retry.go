package online

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The default client's one retry. A check fails closed (503) rather than
// wait, so throttling, errors Cognito answers and timeouts are not
// retried: they answer at once, and Retry-After tells the caller when to
// come back. A request whose connection was closed under it before any
// answer came is another matter: a keep-alive connection the server or a
// load balancer dropped as the request went out, which the SDK's default
// retryer retries (aws-sdk-go-v2 issue #2737, "use of closed network
// connection"). Failing a check for it would turn a routine event into a
// 503, so the request is sent once more, at once, on a new connection,
// within the same Timeout (each call's context bounds every attempt). The
// operations the default client makes (GetUser, GlobalSignOut,
// RevokeToken) come to the same whether Cognito saw the first attempt or
// not.

// closedConnectionAttempts is the attempts of one call: the first, and
// one retry.
const closedConnectionAttempts = 2

// closedConnectionRetryer retries a call once when its connection was
// closed before any answer, and nothing else.
func closedConnectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = closedConnectionAttempts
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(closedBeforeAnswer)}
		// The retry is immediate (a new connection, not a busy server)
		// and draws on no quota shared across calls.
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

// closedBeforeAnswer reports whether err is a request that failed to get
// any answer because its connection was closed: the transport's error
// (smithy's RequestSendError, which a call that got a response never
// carries) caused by the connection being closed, reset or ended before
// a response. Whatever came with a response, and a cancelled or timed
// out call, is not retried.
func closedBeforeAnswer(err error) aws.Ternary {
	var send *smithyhttp.RequestSendError
	switch {
	case !errors.As(err, &send):
		return aws.FalseTernary
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return aws.FalseTernary
	case errors.Is(err, net.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET):
		return aws.TrueTernary
	}
	return aws.FalseTernary
}
