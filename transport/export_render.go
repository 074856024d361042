package transport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/tek"
)

// exportBatch is what checkpoint ck's export files hold: its keys plus the
// padding keys sealed with it, its revocations, and a window derived from the
// checkpoint alone (so that every node, at any time, writes the same bytes):
//
//   - end is the seal time, in whole seconds;
//   - start is the beginning of the oldest key window in the files (real,
//     padding or revoked keys), never after end.
//
// gaen.Build adds one second to end per extra file of a split batch.
func exportBatch(ck *fsm.Checkpoint, region string) gaen.Batch {
	end := ck.SealedAt.UTC().Truncate(time.Second)
	keys := make([]tek.Key, 0, len(ck.Keys)+len(ck.Padding))
	keys = append(append(keys, ck.Keys...), ck.Padding...)
	start := end
	for _, k := range keys {
		start = earlier(start, tek.IntervalTime(k.RollingStart))
	}
	for _, r := range ck.Revoked {
		start = earlier(start, tek.IntervalTime(r.RollingStart))
	}
	return gaen.Batch{Start: start, End: end, Region: region, Keys: keys, Revoked: ck.Revoked}
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// exportFileCount is the number of export files of ck, as gaen.Build splits
// them: one per maxKeys entries (keys, padding and revoked), at least one.
func exportFileCount(ck *fsm.Checkpoint, maxKeys int) int {
	total := ck.KeyCount + len(ck.Padding) + ck.RevokedCount
	return max(1, (total+maxKeys-1)/maxKeys)
}

// renderExports builds, signs and wraps every export file of ck.
// full is ck with its content (fsm.State.CheckpointContent).
func renderExports(ck, full *fsm.Checkpoint, cfg ExportConfig) ([]*renderedBody, error) {
	files, err := gaen.Build(exportBatch(full, cfg.Region), *cfg.Signer, cfg.MaxKeysPerFile)
	if err != nil {
		return nil, fmt.Errorf("export of checkpoint %d: %w", ck.N, err)
	}
	out := make([]*renderedBody, len(files))
	for i, f := range files {
		out[i] = newRendered(bodyKey{n: ck.N, file: i + 1}, ck, f)
	}
	return out, nil
}

// exportPath is the path of file batch (1-based) of checkpoint n, relative
// to the API's base URL: batch 1 is export.zip, the others export-B.zip.
func exportPath(n uint32, batch int) string {
	p := "v1/checkpoints/" + strconv.FormatUint(uint64(n), 10) + "/"
	if batch == 1 {
		return p + "export.zip"
	}
	return p + "export-" + strconv.Itoa(batch) + ".zip"
}

// parseExportFile maps the last path segment to a batch number: export.zip
// is 1, export-B.zip is B for B >= 2 written without leading zeros. Anything
// else (export-1.zip included, so that each file has one URL) is not a file.
func parseExportFile(name string) (int, bool) {
	if name == "export.zip" {
		return 1, true
	}
	digits, ok := strings.CutPrefix(name, "export-")
	if !ok {
		return 0, false
	}
	if digits, ok = strings.CutSuffix(digits, ".zip"); !ok || !canonicalUint(digits) {
		return 0, false
	}
	b, err := strconv.Atoi(digits)
	if err != nil || b < 2 {
		return 0, false
	}
	return b, true
}

// renderIndex renders GET /v1/export/index.txt: every export file of the
// listed checkpoints, oldest first, one path relative to the base URL a
// line.
func renderIndex(cks []*fsm.Checkpoint, maxKeys int) *renderedBody {
	var b strings.Builder
	for _, ck := range cks {
		for batch := 1; batch <= exportFileCount(ck, maxKeys); batch++ {
			b.WriteString(exportPath(ck.N, batch))
			b.WriteByte('\n')
		}
	}
	return newRendered(bodyKey{}, nil, []byte(b.String()))
}

// canonicalUint reports whether s is a decimal number without sign or
// leading zeros ("0" itself is canonical).
func canonicalUint(s string) bool {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
