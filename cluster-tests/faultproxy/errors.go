package faultproxy

import "errors"

// ErrClosed is returned by operations on a Proxy or Net after Close.
var ErrClosed = errors.New("faultproxy: closed")

// ErrUnknownNode is returned by Net methods given a node id that was not added.
var ErrUnknownNode = errors.New("faultproxy: unknown node")

// ErrDuplicateNode is returned by Net.AddNode for an id that is already present
// and by Net.Split when a node is listed in more than one group.
var ErrDuplicateNode = errors.New("faultproxy: duplicate node")
