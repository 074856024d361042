package main

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/tekstore/tekstore/server"
)

func TestDecodeGossipKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i * 7)
	}
	tests := []struct {
		name    string
		in      string
		wantLen int
		wantErr bool
	}{
		{"empty means no encryption", "", 0, false},
		{"standard base64", base64.StdEncoding.EncodeToString(key), 32, false},
		{"url base64 without padding", base64.RawURLEncoding.EncodeToString(key), 32, false},
		{"16 bytes is too short", base64.StdEncoding.EncodeToString(key[:16]), 0, true},
		{"not base64", "not a key!", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeGossipKey(tc.in)
			if tc.wantErr {
				if !errors.Is(err, server.ErrGossipKey) {
					t.Fatalf("err = %v, want ErrGossipKey", err)
				}
				return
			}
			if err != nil || len(got) != tc.wantLen {
				t.Fatalf("got %d bytes, err %v; want %d", len(got), err, tc.wantLen)
			}
		})
	}
}
