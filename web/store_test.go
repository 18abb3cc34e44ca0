package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/web"
)

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	s := &web.MemoryStore{Now: func() time.Time { return now }}
	_, ok, err := s.Get(ctx, "x")
	assert.False(t, ok)
	assert.NoError(t, err)
	require.NoError(t, s.Set(ctx, "x", []byte("v"), time.Minute))
	v, ok, _ := s.Get(ctx, "x")
	assert.True(t, ok)
	assert.Equal(t, "v", string(v))
	v[0] = 'w'
	v, _, _ = s.Get(ctx, "x")
	assert.Equal(t, "v", string(v), "Get returns a copy")
	now = now.Add(time.Minute)
	_, ok, _ = s.Get(ctx, "x")
	assert.False(t, ok, "expired")
	require.NoError(t, s.Set(ctx, "y", []byte("v"), time.Minute))
	require.NoError(t, s.Delete(ctx, "y"))
	assert.Equal(t, 0, s.Len())
}
