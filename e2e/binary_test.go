package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/tekstore/tekstore/client"
)

const adminToken = "tka_e2e-admin-token-0123456789abcdef"

// randomKeys makes n keys, one per past day (no embargo, no overlap).
func randomKeys(t *testing.T, n int) []client.Key {
	t.Helper()
	today := client.DayStart(time.Now())
	keys := make([]client.Key, n)
	for i := range keys {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			t.Fatal(err)
		}
		keys[i] = client.NewKey(b, today-uint32(i+1)*144, 144)
	}
	return keys
}

// snapshot is everything a restart must keep.
type snapshot struct {
	Public      []string // keys of GET /v1/keys?since=0
	DeltaKeys   []string // keys of GET /v1/keys?since=mark
	DeltaRevoke []string // revocations of GET /v1/keys?since=mark
	Submissions []client.Submission
	Providers   []client.Provider
}

func keyNames(keys []client.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Key + "@" + itoa(k.RollingStartNumber) + "/" + k.ReportType
	}
	sort.Strings(out)
	return out
}

func refNames(refs []client.KeyRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Key + "@" + itoa(r.RollingStartNumber)
	}
	sort.Strings(out)
	return out
}

func itoa(n uint32) string { b, _ := json.Marshal(n); return string(b) }

// take reads the state through admin at least at index minIndex.
func take(t *testing.T, admin *client.Client, mark, minIndex uint64) snapshot {
	t.Helper()
	ctx := context.Background()
	all, err := admin.Keys(ctx, client.KeysQuery{Since: 0, MinIndex: minIndex})
	if err != nil {
		t.Fatal(err)
	}
	delta, err := admin.Keys(ctx, client.KeysQuery{Since: mark, MinIndex: minIndex})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := admin.Submissions(ctx, time.Time{}, client.MinIndex(minIndex))
	if err != nil {
		t.Fatal(err)
	}
	provs, err := admin.Providers(ctx, client.MinIndex(minIndex))
	if err != nil {
		t.Fatal(err)
	}
	for i := range subs.Submissions {
		subs.Submissions[i].Meta = client.Meta{}
	}
	for i := range provs.Providers {
		provs.Providers[i].Meta = client.Meta{}
	}
	sort.Slice(subs.Submissions, func(i, j int) bool { return subs.Submissions[i].ID < subs.Submissions[j].ID })
	return snapshot{Public: keyNames(all.Keys), DeltaKeys: keyNames(delta.Keys), DeltaRevoke: refNames(delta.Revoked),
		Submissions: subs.Submissions, Providers: provs.Providers}
}

// TestServeRestartKeepsData runs `tekstore serve --bootstrap`, drives it
// with the CLI and the client, stops it with SIGTERM, starts it again on the
// same data directory and checks that every key, revocation, submission and
// provider survived.
func TestServeRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	tokFile := filepath.Join(dir, "admin.token")
	if err := os.WriteFile(tokFile, []byte(adminToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	httpAddr, raftAddr := freeAddr(t), freeAddr(t)
	url := "http://" + httpAddr
	serve := startProc(t, dir, "serve", "--id", "n1", "--data", data, "--http", httpAddr, "--raft", raftAddr,
		"--bootstrap", "--admin-token-file", tokFile, "--log-level", "warn")
	admin, err := client.New(url, client.WithToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	waitReady(t, admin, serve)
	ctx := context.Background()

	// The CLI creates a provider and issues codes.
	var prov struct{ ID, Token string }
	mustJSON(t, runCLI(t, "provider", "add", "E2E Lab", "--quota", "100", "--format", "json", "--addr", url, "--token", adminToken), &prov)
	var issued struct{ Codes []client.IssuedCode }
	mustJSON(t, runCLI(t, "codes", "issue", "--count", "4", "--ttl", "72h", "--format", "json", "--addr", url, "--token", prov.Token), &issued)
	if prov.ID == "" || prov.Token == "" || len(issued.Codes) != 4 {
		t.Fatalf("provider %+v, codes %+v", prov, issued)
	}
	provider := admin.WithToken(prov.Token)
	app := admin.WithToken("")

	// The library publishes three uploads.
	var pubs []client.PublishResult
	var uploads [][]client.Key
	for i, n := range []int{3, 2, 4} {
		keys := randomKeys(t, n)
		res, err := app.Publish(ctx, client.PublishRequest{Code: issued.Codes[i].Code, Keys: keys})
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if res.Inserted != n || res.RevisionToken == "" {
			t.Fatalf("publish %d = %+v", i, res)
		}
		pubs, uploads = append(pubs, res), append(uploads, keys)
	}
	first, err := app.Keys(ctx, client.KeysQuery{Since: 0, MinIndex: pubs[2].Seq})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Reset || len(first.Keys) != 9 {
		t.Fatalf("public set after three uploads: reset %v, %d keys", first.Reset, len(first.Keys))
	}
	mark := first.Until

	// Rollback by the provider, revoke by the app's revisionToken, and a
	// single-key revocation by the admin.
	rb, err := provider.RollbackSubmission(ctx, pubs[0].Submission, "lab mix-up")
	if err != nil || rb.Revoked != 3 {
		t.Fatalf("rollback = %+v, %v", rb, err)
	}
	rv, err := app.RevokePublish(ctx, pubs[1].RevisionToken)
	if err != nil || rv.Revoked != 2 || rv.Submission != pubs[1].Submission {
		t.Fatalf("revoke by token = %+v, %v", rv, err)
	}
	one, err := admin.Revoke(ctx, client.RevocationRequest{Keys: []client.KeyRef{uploads[2][0].Ref()}, Reason: "e2e"})
	if err != nil || one.Revoked != 1 {
		t.Fatalf("revoke one key = %+v, %v", one, err)
	}
	// A CLI rollback by another provider's token is refused with one line.
	var other struct{ ID, Token string }
	mustJSON(t, runCLI(t, "provider", "add", "Other Lab", "--format", "json", "--addr", url, "--token", adminToken), &other)
	_, errOut, err := tryCLI(t, "submission", "rollback", pubs[2].Submission, "--addr", url, "--token", other.Token)
	if err == nil || errOut != "tekstore: forbidden: this submission belongs to another provider\n" {
		t.Fatalf("foreign rollback: err %v, stderr %q", err, errOut)
	}

	before := take(t, admin, mark, one.Seq)
	if len(before.Public) != 3 || len(before.DeltaRevoke) != 6 || len(before.Submissions) != 3 || len(before.Providers) != 2 {
		t.Fatalf("before restart: %d public keys, %d revoked since %d, %d submissions, %d providers",
			len(before.Public), len(before.DeltaRevoke), mark, len(before.Submissions), len(before.Providers))
	}
	lastSeq := max(one.Seq, before.maxSeq())

	// Stop cleanly and start again: no --bootstrap, and the id and Raft
	// address come from the data directory.
	serve.stop(t, sigterm)
	again := startProc(t, dir, "serve", "--data", data, "--http", httpAddr, "--admin-token-file", tokFile, "--log-level", "warn")
	waitReady(t, admin, again)
	after := take(t, admin, mark, lastSeq)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("state changed across the restart:\nbefore %+v\nafter  %+v", before, after)
	}

	// Used codes stay used, tokens still work, a fresh code publishes.
	if _, err := app.Publish(ctx, client.PublishRequest{Code: issued.Codes[2].Code, Keys: randomKeys(t, 1)}); !client.HasCode(err, client.CodeCodeUsed) {
		t.Fatalf("reused code after restart: err = %v, want code_used", err)
	}
	res, err := app.Publish(ctx, client.PublishRequest{Code: issued.Codes[3].Code, Keys: randomKeys(t, 2)})
	if err != nil || res.Inserted != 2 {
		t.Fatalf("publish after restart = %+v, %v", res, err)
	}
	subs, err := provider.Submissions(ctx, time.Time{}, client.MinIndex(res.Seq))
	if err != nil || len(subs.Submissions) != 4 {
		t.Fatalf("provider's submissions after restart: %d, %v", len(subs.Submissions), err)
	}
	again.stop(t, sigterm)
}

func (s snapshot) maxSeq() uint64 {
	var m uint64
	for _, sub := range s.Submissions {
		m = max(m, sub.Seq, sub.RollbackSeq)
	}
	return m
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("CLI output is not JSON (%v): %q", err, s)
	}
}
