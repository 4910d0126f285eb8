package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// verdict is what a webhook must answer to a body.
type verdict string

const (
	allowed verdict = "allowed"
	denied  verdict = "denied"
)

// body is one AdmissionReview to send, split around its request UID so that every request carries a UID of
// its own without decoding and encoding the review again: the client's own cost stays small next to the
// server's, as both share the machine's cores.
type body struct {
	name   string
	expect verdict
	// prefix and suffix surround the request UID's value (without quotes).
	prefix, suffix []byte
}

// uidLen is the length of a UUID in its text form, the shape of the UIDs the API server sends.
const uidLen = 36

// loadBodies reads PATH=VERDICT arguments.
func loadBodies(args []string) ([]body, error) {
	bodies := make([]body, 0, len(args))
	for _, arg := range args {
		path, v, ok := strings.Cut(arg, "=")
		if !ok || (verdict(v) != allowed && verdict(v) != denied) {
			return nil, fmt.Errorf("--body %q: want PATH=allowed or PATH=denied", arg)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		b, err := parseBody(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.name, b.expect = strings.TrimSuffix(filepath.Base(path), ".json"), verdict(v)
		bodies = append(bodies, b)
	}
	return bodies, nil
}

// parseBody checks that data is an AdmissionReview with a request UID, and splits it around that UID.
func parseBody(data []byte) (body, error) {
	var review struct {
		Kind    string `json:"kind"`
		Request *struct {
			UID string `json:"uid"`
		} `json:"request"`
	}
	if err := json.Unmarshal(data, &review); err != nil {
		return body{}, fmt.Errorf("not JSON: %w", err)
	}
	if review.Kind != "AdmissionReview" || review.Request == nil || review.Request.UID == "" {
		return body{}, fmt.Errorf("not an AdmissionReview with a request UID")
	}
	// The UID is found by its text; an object's own metadata.uid is another UUID, so a UID that occurs twice
	// means a hand-made body, where replacing the wrong one would go unnoticed.
	quoted, _ := json.Marshal(review.Request.UID)
	if n := bytes.Count(data, quoted); n != 1 {
		return body{}, fmt.Errorf("request UID %s occurs %d times in the body; give it a value found nowhere else", quoted, n)
	}
	i := bytes.Index(data, quoted)
	return body{prefix: data[:i+1], suffix: data[i+len(quoted)-1:]}, nil
}

// size is the length of the body as sent.
func (b *body) size() int { return len(b.prefix) + uidLen + len(b.suffix) }

// appendRequest appends the body with uid as its request UID to dst.
func (b *body) appendRequest(dst []byte, uid *[uidLen]byte) []byte {
	dst = append(dst, b.prefix...)
	dst = append(dst, uid[:]...)
	return append(dst, b.suffix...)
}

// newUID writes a UUID-shaped UID that is unique within a run: the connection's index and the request's
// sequence number on it.
func newUID(uid *[uidLen]byte, conn uint32, seq uint64) {
	var raw [16]byte
	raw[0], raw[1], raw[2], raw[3] = byte(conn>>24), byte(conn>>16), byte(conn>>8), byte(conn)
	for i := range 8 {
		raw[8+i] = byte(seq >> (56 - 8*i))
	}
	raw[6] = 0x40 | raw[6]&0x0f // version 4 and RFC 4122 variant, so strict parsers accept it
	raw[8] = 0x80 | raw[8]&0x3f
	hex.Encode(uid[0:8], raw[0:4])
	uid[8] = '-'
	hex.Encode(uid[9:13], raw[4:6])
	uid[13] = '-'
	hex.Encode(uid[14:18], raw[6:8])
	uid[18] = '-'
	hex.Encode(uid[19:23], raw[8:10])
	uid[23] = '-'
	hex.Encode(uid[24:36], raw[10:16])
}
