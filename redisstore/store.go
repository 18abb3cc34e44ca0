package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// The list in Redis, all under one hash tag so that one script or
// transaction touches one Redis Cluster slot:
//
//	{prefix}:j, :f, :s  sorted sets of ids, scored by the moment in ms
//	                    (expiry order, and the order the bound drops in)
//	{prefix}:sn         hash: subject -> cut-off in Unix ns (full precision)
//	{prefix}:log        sorted set of the latest changes, each an encoded
//	                    entry scored by the version that wrote it
//	{prefix}:v          the version: one more for every write that changed
//	                    something
//	{prefix}:epoch      names this incarnation of the list; a Redis that
//	                    lost it (restarted empty) has none
//	{prefix}:restore    the lease of the one instance restoring the list
//	{prefix}:events     the channel; in Cluster, on the node of the keys
const (
	keyJTI = iota
	keyFamily
	keySubject
	keySubjectNS
	keyLog
	keyVersion
	keyEpoch
	keyLease
	nKeys
)

// writeScript merges entries, logs and publishes those that changed
// something under one new version, and trims what expired or exceeds the
// bound, atomically: a subscriber never hears of an entry that a read
// would not find, and the version names exactly the changes logged.
var writeScript = redis.NewScript(`
local function newer(a, b)
  return #a > #b or (#a == #b and a > b)
end
local function hdel(ids)
  for i = 1, #ids, 1000 do
    redis.call('HDEL', KEYS[4], unpack(ids, i, math.min(i + 999, #ids)))
  end
end
local v = nil
local touched = {}
for i = 6, #ARGV, 4 do
  local k, ms, ns, id = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key, changed
  if k == 'j' then key = KEYS[1] elseif k == 'f' then key = KEYS[2] else key = KEYS[3] end
  if k == 's' then
    local cur = redis.call('HGET', KEYS[4], id)
    changed = (not cur) or newer(ns, cur)
    if changed then
      redis.call('HSET', KEYS[4], id, ns)
      redis.call('ZADD', key, 'GT', ms, id)
    end
  else
    changed = redis.call('ZADD', key, 'GT', 'CH', ms, id) == 1
  end
  if changed then
    v = v or redis.call('INCR', KEYS[6])
    local msg = k .. ns .. ' ' .. id
    redis.call('ZADD', KEYS[5], v, msg)
    if ARGV[5] == '1' then redis.call('PUBLISH', ARGV[4], msg) end
    touched[key] = true
  end
end
for key, _ in pairs(touched) do
  if key == KEYS[3] then hdel(redis.call('ZRANGEBYSCORE', key, '-inf', ARGV[1])) end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  local extra = redis.call('ZCARD', key) - tonumber(ARGV[2])
  if extra > 0 then
    if key == KEYS[3] then hdel(redis.call('ZRANGE', key, 0, extra - 1)) end
    redis.call('ZREMRANGEBYRANK', key, 0, extra - 1)
  end
end
if v then redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -tonumber(ARGV[3]) - 1) end
return v or 0
`)

// trimScript drops the expired entries of every kind (ARGV[1], ms).
var trimScript = redis.NewScript(`
for i = 1, 3 do
  if i == 3 then
    local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
    for j = 1, #ids, 1000 do
      redis.call('HDEL', KEYS[4], unpack(ids, j, math.min(j + 999, #ids)))
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[1])
end
return 0
`)

// releaseScript gives up the restore lease if this instance still holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// batch bounds the entries of one script call, so that a restore of a
// large list never blocks Redis for long.
const batch = 1000

// write merges entries into Redis in batches; publish says whether each
// changed entry is also sent on the channel.
func (r *Revocations) write(ctx context.Context, entries []entry, publish bool) error {
	cutoff := strconv.FormatInt(r.cutoff()/1e6, 10)
	pub := "0"
	if publish {
		pub = "1"
	}
	for len(entries) > 0 {
		n := min(len(entries), batch)
		args := make([]any, 0, 5+4*n)
		args = append(args, cutoff, r.opt.maxEntries, r.opt.logSize, r.channel, pub)
		for _, e := range entries[:n] {
			args = append(args, string(e.kind), e.moment/1e6, e.moment, e.id)
		}
		if err := writeScript.Run(ctx, r.rdb, r.keys[:keyEpoch], args...).Err(); err != nil {
			return err
		}
		entries = entries[n:]
	}
	return nil
}

// trim drops the expired entries from Redis.
func (r *Revocations) trim(ctx context.Context) error {
	return trimScript.Run(ctx, r.rdb, r.keys[:keySubjectNS+1], r.cutoff()/1e6).Err()
}

// position is where a replica stands in the list's history: the epoch it
// belongs to, the version it has read up to, and one change logged under
// that version (its mark), which must still be in the log for the changes
// after it to be complete.
type position struct {
	epoch   string
	version int64
	mark    string
}

// readAll reads the whole list and the position it is at. The position
// comes first and the sets are then scanned in pages (SCAN guarantees
// every member present throughout): a list of a million entries never
// needs one reply longer than the client's read timeout, and an entry
// written during the scan is logged after the position, so the next
// resynchronisation reads it if the scan missed it.
func (r *Revocations) readAll(ctx context.Context) (position, []entry, error) {
	pos, err := r.readPosition(ctx)
	if err != nil {
		return position{}, nil, err
	}
	ns := map[string]int64{}
	if err := r.scan(ctx, r.keys[keySubjectNS], true, func(id, v string) {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			ns[id] = n
		}
	}); err != nil {
		return position{}, nil, err
	}
	cutoff := r.cutoff()
	var out []entry
	for i, k := range allKinds {
		err := r.scan(ctx, r.keys[i], false, func(id, score string) {
			ms, err := strconv.ParseFloat(score, 64)
			if err != nil {
				return
			}
			e := entry{kind: k, id: id, moment: int64(ms) * 1e6}
			if full, ok := ns[id]; ok && k == kindSubject {
				e.moment = full
			}
			if e.moment > cutoff {
				out = append(out, e)
			}
		})
		if err != nil {
			return position{}, nil, err
		}
	}
	return pos, out, nil
}

// readPosition reads where the list stands: its epoch, its version and a
// change logged under that version.
func (r *Revocations) readPosition(ctx context.Context) (position, error) {
	var (
		epoch, version *redis.StringCmd
		last           *redis.ZSliceCmd
	)
	_, err := r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		epoch = p.Get(ctx, r.keys[keyEpoch])
		version = p.Get(ctx, r.keys[keyVersion])
		last = p.ZRevRangeWithScores(ctx, r.keys[keyLog], 0, 0)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return position{}, err
	}
	pos := position{epoch: epoch.Val()}
	if pos.version, err = versionOf(version); err != nil {
		return position{}, err
	}
	if l := last.Val(); len(l) == 1 && int64(l[0].Score) == pos.version {
		pos.mark, _ = l[0].Member.(string)
	}
	return pos, nil
}

// scanPage is how many members one SCAN call asks for.
const scanPage = 5000

// scan calls f with every member and its score (ZSCAN) or field and value
// (HSCAN) of key; a member may come twice.
func (r *Revocations) scan(ctx context.Context, key string, hash bool, f func(member, value string)) error {
	var cursor uint64
	for {
		var (
			page []string
			err  error
		)
		if hash {
			page, cursor, err = r.rdb.HScan(ctx, key, cursor, "", scanPage).Result()
		} else {
			page, cursor, err = r.rdb.ZScan(ctx, key, cursor, "", scanPage).Result()
		}
		if err != nil {
			return err
		}
		for i := 0; i+1 < len(page); i += 2 {
			f(page[i], page[i+1])
		}
		if cursor == 0 {
			return nil
		}
	}
}

func versionOf(cmd *redis.StringCmd) (int64, error) {
	s, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// errGap: the changes since a position are not all in the log any more
// (it was trimmed past them, or Redis went back to an older state).
var errGap = errors.New("redisstore: changes since the last read are not all logged")

// readChanges reads the position of the list and the changes after from.
// Nothing changed costs one small transaction. It returns errGap when the
// log cannot tell all that changed.
func (r *Revocations) readChanges(ctx context.Context, from position) (position, []entry, error) {
	var (
		epoch, version *redis.StringCmd
		markScore      *redis.FloatCmd
		changes        *redis.ZSliceCmd
	)
	_, err := r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		epoch = p.Get(ctx, r.keys[keyEpoch])
		version = p.Get(ctx, r.keys[keyVersion])
		if from.mark != "" {
			markScore = p.ZScore(ctx, r.keys[keyLog], from.mark)
		}
		changes = p.ZRangeByScoreWithScores(ctx, r.keys[keyLog], &redis.ZRangeBy{
			Min: "(" + strconv.FormatInt(from.version, 10), Max: "+inf", Count: int64(r.opt.logSize) + 1,
		})
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return position{}, nil, err
	}
	pos := position{epoch: epoch.Val(), mark: from.mark}
	if pos.version, err = versionOf(version); err != nil {
		return position{}, nil, err
	}
	if pos.epoch != from.epoch || pos.epoch == "" {
		return pos, nil, nil // the caller compares epochs first
	}
	zs := changes.Val()
	switch {
	case pos.version < from.version, len(zs) > r.opt.logSize:
		return pos, nil, errGap
	case from.mark != "" && int64(markScore.Val()) != from.version:
		return pos, nil, errGap // the mark left the log, or Redis went back
	case from.mark == "" && from.version != 0:
		return pos, nil, errGap
	case len(zs) > 0 && from.version == 0 && int64(zs[0].Score) != 1:
		return pos, nil, errGap
	}
	out := make([]entry, 0, len(zs))
	for _, z := range zs {
		m, _ := z.Member.(string)
		if e, ok := decode(m); ok {
			out = append(out, e)
		}
		if int64(z.Score) == pos.version {
			pos.mark = m
		}
	}
	if len(zs) > 0 && int64(zs[len(zs)-1].Score) != pos.version {
		return pos, nil, errGap // a change was logged after the version was read
	}
	return pos, out, nil
}

// lease takes the restore lease; it reports false when another instance
// holds it.
func (r *Revocations) lease(ctx context.Context, token string) (bool, error) {
	return r.rdb.SetNX(ctx, r.keys[keyLease], token, r.opt.leaseTTL).Result()
}

func (r *Revocations) release(ctx context.Context, token string) {
	_ = releaseScript.Run(ctx, r.rdb, []string{r.keys[keyLease]}, token).Err()
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
