package online

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"
)

// refusedDial is the error of a real connection refused on loopback.
func refusedDial(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	resp, err := http.Post("http://"+addr, "text/plain", nil)
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err)
	return err
}

func TestClosedBeforeAnswer(t *testing.T) {
	send := func(err error) error { return &smithyhttp.RequestSendError{Err: err} }
	for name, tc := range map[string]struct {
		err  error
		want aws.Ternary
	}{
		"closed connection":   {send(fmt.Errorf("read: %w", net.ErrClosed)), aws.TrueTernary},
		"ended before answer": {send(fmt.Errorf("post: %w", io.EOF)), aws.TrueTernary},
		"unexpected end":      {send(io.ErrUnexpectedEOF), aws.TrueTernary},
		"reset":               {send(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), aws.TrueTernary},
		"refused":             {send(refusedDial(t)), aws.FalseTernary},
		"deadline":            {send(fmt.Errorf("%w: %w", context.DeadlineExceeded, io.EOF)), aws.FalseTernary},
		"cancelled":           {send(context.Canceled), aws.FalseTernary},
		"not a send error":    {fmt.Errorf("deserialize: %w", io.ErrUnexpectedEOF), aws.FalseTernary},
		"response error": {&smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
			Err: errors.New("InternalErrorException")}, aws.FalseTernary},
	} {
		require.Equal(t, tc.want, closedBeforeAnswer(tc.err), name)
	}
}
