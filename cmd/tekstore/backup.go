package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/transport"
)

// backupTimeout bounds a whole backup download.
const backupTimeout = 30 * time.Minute

func init() {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write a consistent snapshot of the whole state to FILE (admin token)",
		Long: "backup downloads GET /v1/backup from --addr into FILE atomically, checks the body\n" +
			"against the server's digest, loads it into a scratch state machine, and prints the\n" +
			"backup's index and state digest. `tekstore restore` starts a new cluster from FILE.",
		Args: cobra.NoArgs,
	}
	cf := addClientFlags(cmd)
	cmd.Flags().StringVar(&out, "out", "", "backup file to write (required)")
	_ = cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, cancel := context.WithTimeout(cmd.Context(), backupTimeout)
		defer cancel()
		info, err := downloadBackup(ctx, cf, out)
		if err != nil {
			return cf.explain(err)
		}
		if cf.json() {
			return writeJSON(cmd.OutOrStdout(), backupJSON(out, info))
		}
		fmt.Fprintf(cmd.OutOrStdout(), "backup %s: index %d, %d bytes, digest %s\n", out, info.Index, info.Bytes, info.Digest)
		return nil
	}
	rootCmd.AddCommand(cmd)
}

// downloadBackup fetches a backup into out and verifies it before out is
// replaced: the body's SHA-256 must equal the server's digest trailer and
// the loaded state's digest.
func downloadBackup(ctx context.Context, cf *clientFlags, out string) (node.BackupInfo, error) {
	tok := cf.token
	if tok == "" {
		tok = os.Getenv(envToken)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cf.addr, "/")+"/v1/backup", nil)
	if err != nil {
		return node.BackupInfo{}, fmt.Errorf("--addr: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
	req.Header.Set("User-Agent", "tekstore-cli")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return node.BackupInfo{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return node.BackupInfo{}, apiFailure(resp)
	}
	var info node.BackupInfo
	sum := sha256.New()
	err = node.WriteFileChecked(out, func(w io.Writer) error {
		_, err := io.Copy(io.MultiWriter(w, sum), resp.Body)
		return err
	}, func(tmp string) error {
		want := resp.Trailer.Get(transport.HeaderBackupDigest)
		if want == "" {
			return errors.New("backup stream ended without its digest: incomplete download")
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != want {
			return fmt.Errorf("downloaded backup has SHA-256 %s, server sent %s", got, want)
		}
		var err error
		if _, info, err = node.LoadBackup(tmp); err != nil {
			return err
		}
		if info.Digest != want {
			return fmt.Errorf("backup loads to state digest %s, server's digest is %s", info.Digest, want)
		}
		return nil
	})
	return info, err
}

// apiFailure turns an error answer into one line.
func apiFailure(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := strings.TrimSpace(string(b))
	if msg == "" {
		msg = resp.Status
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s: %s (set $%s to the admin token or pass --token)", resp.Status, msg, envToken)
	}
	return fmt.Errorf("%s: %s", resp.Status, msg)
}

// backupReport is the JSON form of a backup file's description.
type backupReport struct {
	File       string `json:"file"`
	Index      uint64 `json:"index"`
	Bytes      int64  `json:"bytes"`
	Digest     string `json:"digest"`
	Retention  string `json:"retention"`
	LeaderTime string `json:"leaderTime"`
}

func backupJSON(file string, info node.BackupInfo) backupReport {
	return backupReport{File: file, Index: info.Index, Bytes: info.Bytes, Digest: info.Digest,
		Retention: info.Retention.String(), LeaderTime: formatTime(info.LeaderTime)}
}
