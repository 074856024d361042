// Package client is a Go client for the public HTTP API of tekstore
// (spec §4-§7): publishing and reading keys, issuing codes, managing
// submissions, providers and the cluster, backups, checkpoints and probes.
//
// Every call takes a context. Errors answered by the server in the spec's
// error shape come back as *APIError; match them with errors.As or with
// HasCode. Every result carries a Meta with the node that served it and
// that node's applied index (X-Tekstore-Node, X-Tekstore-Index), so callers
// can ask another node for a read-your-writes read with MinIndex.
//
//	c, err := client.New("http://127.0.0.1:8080", client.WithToken(token))
//	res, err := c.Publish(ctx, client.PublishRequest{Code: code, Keys: keys})
//	delta, err := c.Keys(ctx, client.KeysQuery{Since: 0, MinIndex: res.Seq})
package client
