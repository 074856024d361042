package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

func newClusterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Show and change the cluster's membership (admin token)",
		Long: "cluster talks to any node (--addr); changes reach the leader. The admin token comes from --token,\n" +
			"$" + envToken + " or $" + envAdminToken + ".",
		Args: cobra.NoArgs,
	}
	cf := addClientFlags(cmd)
	cmd.AddCommand(newClusterStatusCmd(cf), newClusterJoinCmd(cf), newClusterRemoveCmd(cf))
	return cmd
}

func init() { rootCmd.AddCommand(newClusterCmd()) }

// adminClient returns a client that falls back to $TEKSTORE_ADMIN_TOKEN.
func adminClient(cf *clientFlags) (*client.Client, error) {
	if cf.token == "" && os.Getenv(envToken) == "" {
		cf.token = strings.TrimSpace(os.Getenv(envAdminToken))
	}
	return cf.client()
}

func newClusterStatusCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the members: state, liveness and how far each trails the leader",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := adminClient(cf)
			if err != nil {
				return err
			}
			cl, err := c.Cluster(cmd.Context())
			if err != nil {
				return cf.explain(err)
			}
			sort.Slice(cl.Nodes, func(i, j int) bool { return cl.Nodes[i].ID < cl.Nodes[j].ID })
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), cl)
			}
			return writeClusterTable(cmd.OutOrStdout(), cl)
		},
	}
}

// writeClusterTable prints the status table of spec §1, sorted by id.
func writeClusterTable(w io.Writer, cl client.Cluster) error {
	var leaderApplied uint64
	leaderKnown := false
	for _, n := range cl.Nodes {
		if n.ID == cl.Leader {
			leaderApplied, leaderKnown = n.AppliedIndex, n.State == "leader"
		}
	}
	t := newTable(w, "ID", "DC", "HTTP", "Raft", "State", "Voter", "Alive", "Applied", "Trails by")
	for _, n := range cl.Nodes {
		applied, trails := "-", "-"
		if n.State != "" && n.State != "unreachable" {
			applied = strconv.FormatUint(n.AppliedIndex, 10)
			if leaderKnown {
				trails = "0"
				if leaderApplied > n.AppliedIndex {
					trails = strconv.FormatUint(leaderApplied-n.AppliedIndex, 10)
				}
			}
		}
		t.row(n.ID, dash(n.DC), dash(n.HTTPAddr), dash(n.RaftAddr), dash(n.State),
			yesNo(n.Voter), yesNo(n.Alive), applied, trails)
	}
	return t.flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newClusterJoinCmd(cf *clientFlags) *cobra.Command {
	var spec client.NodeSpec
	var nonVoter bool
	cmd := &cobra.Command{
		Use:   "join --id ID --raft HOST:PORT --http URL [--nonvoter]",
		Short: "Add a node to the cluster (a node started with serve --join does this itself)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if spec.ID == "" || spec.RaftAddr == "" {
				return fmt.Errorf("--id and --raft are required")
			}
			c, err := adminClient(cf)
			if err != nil {
				return err
			}
			spec.Voter = !nonVoter
			ack, err := c.JoinNode(cmd.Context(), spec)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(ack.Body))
				return err
			}
			role := "voter"
			if nonVoter {
				role = "non-voter"
			}
			if ack.Meta.Status == 201 {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "added %s as a %s (raft %s)\n", spec.ID, role, spec.RaftAddr)
			} else {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s is already a %s at %s: nothing to do\n", spec.ID, role, spec.RaftAddr)
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&spec.ID, "id", "", "node id")
	fs.StringVar(&spec.RaftAddr, "raft", "", "the node's Raft address HOST:PORT")
	fs.StringVar(&spec.HTTPAddr, "http", "", "the node's HTTP base URL")
	fs.BoolVar(&nonVoter, "nonvoter", false, "add as a non-voting member (read replica)")
	return cmd
}

func newClusterRemoveCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a node (works while it is down; the leader hands over leadership first)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := adminClient(cf)
			if err != nil {
				return err
			}
			ack, err := c.RemoveNode(cmd.Context(), args[0])
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), string(ack.Body))
				return err
			}
			var res struct {
				Removed bool `json:"removed"`
			}
			_ = json.Unmarshal(ack.Body, &res)
			if res.Removed {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", args[0])
			} else {
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s is not a member: nothing to do\n", args[0])
			}
			return err
		},
	}
}
