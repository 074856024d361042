package history

import "errors"

// key returns a distinct test key.
func key(n byte) Key {
	var k Key
	k[0], k[15] = n, 0xa5
	return k
}

// keys returns test keys for the given numbers.
func keys(ns ...byte) []Key {
	out := make([]Key, len(ns))
	for i, n := range ns {
		out[i] = key(n)
	}
	return out
}

var errTimeout = errors.New("test: request timed out")

// publish is a confirmed publish.
func publish(client int, call, ret int64, seq uint64, ks ...byte) Op {
	return Op{Client: client, Kind: KindPublish, Input: Input{Keys: keys(ks...)}, Output: Output{Seq: seq}, Call: call, Return: ret}
}

// publishUnknown is a publish whose outcome is unknown.
func publishUnknown(client int, call, ret int64, ks ...byte) Op {
	return Op{Client: client, Kind: KindPublish, Input: Input{Keys: keys(ks...)}, Call: call, Return: ret, Err: errTimeout, Unknown: true}
}

// publishFailed is a publish that certainly failed.
func publishFailed(client int, call, ret int64, ks ...byte) Op {
	return Op{Client: client, Kind: KindPublish, Input: Input{Keys: keys(ks...)}, Call: call, Return: ret, Err: errors.New("test: 409 code_used")}
}

// revoke is a confirmed revocation.
func revoke(client int, call, ret int64, seq uint64, ks ...byte) Op {
	return Op{Client: client, Kind: KindRevoke, Input: Input{Keys: keys(ks...)}, Output: Output{Seq: seq}, Call: call, Return: ret}
}

// read is a successful read at a node that had applied index.
func read(client int, call, ret int64, minIndex, index uint64, ks ...byte) Op {
	return Op{Client: client, Kind: KindRead, Input: Input{Node: "n1", MinIndex: minIndex}, Output: Output{Keys: keys(ks...), Index: index}, Call: call, Return: ret}
}
