// Package review holds the AdmissionReviews a load generator sends and reads the answers: each body gets
// a fresh request UID, and each answer must carry it back.
package review

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Verdict is what a webhook must answer to a body.
type Verdict string

// The two verdicts a webhook gives.
const (
	Allowed Verdict = "allowed"
	Denied  Verdict = "denied"
)

// Body is one AdmissionReview to send, split around its request UID so that every request carries a UID of
// its own without decoding and encoding the review again: the client's own cost stays small next to the
// server's, as both share the machine's cores.
type Body struct {
	Name   string
	Expect Verdict
	// prefix and suffix surround the request UID's value (without quotes).
	prefix, suffix []byte
}

// UID is a request UID in the text form of a UUID, the shape of the UIDs the API server sends.
type UID [36]byte

func (u *UID) String() string { return string(u[:]) }

// Len is the size of the review as sent.
func (b *Body) Len() int { return len(b.prefix) + len(UID{}) + len(b.suffix) }

// Load reads PATH=VERDICT arguments.
func Load(args []string) ([]Body, error) {
	bodies := make([]Body, 0, len(args))
	for _, arg := range args {
		path, v, ok := strings.Cut(arg, "=")
		if !ok || (Verdict(v) != Allowed && Verdict(v) != Denied) {
			return nil, fmt.Errorf("--body %q: want PATH=allowed or PATH=denied", arg)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		b, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.Name, b.Expect = strings.TrimSuffix(filepath.Base(path), ".json"), Verdict(v)
		bodies = append(bodies, b)
	}
	return bodies, nil
}

// Parse checks that data is an AdmissionReview with a request UID, and splits it around that UID.
func Parse(data []byte) (Body, error) {
	var review struct {
		Kind    string `json:"kind"`
		Request *struct {
			UID string `json:"uid"`
		} `json:"request"`
	}
	if err := json.Unmarshal(data, &review); err != nil {
		return Body{}, fmt.Errorf("not JSON: %w", err)
	}
	if review.Kind != "AdmissionReview" || review.Request == nil || review.Request.UID == "" {
		return Body{}, fmt.Errorf("not an AdmissionReview with a request UID")
	}
	// The UID is found by its text; an object's own metadata.uid is another UUID, so a UID that occurs twice
	// means a hand-made body, where replacing the wrong one would go unnoticed.
	quoted, _ := json.Marshal(review.Request.UID)
	if n := bytes.Count(data, quoted); n != 1 {
		return Body{}, fmt.Errorf("request UID %s occurs %d times in the body; give it a value found nowhere else", quoted, n)
	}
	i := bytes.Index(data, quoted)
	return Body{prefix: data[:i+1], suffix: data[i+len(quoted)-1:]}, nil
}

// Size is the length of the body as sent.
func (b *Body) Size() int { return len(b.prefix) + len(UID{}) + len(b.suffix) }

// Append appends the body with uid as its request UID to dst.
func (b *Body) Append(dst []byte, uid *UID) []byte {
	dst = append(dst, b.prefix...)
	dst = append(dst, uid[:]...)
	return append(dst, b.suffix...)
}

// NewUID writes a UUID-shaped UID that is unique within a run: the connection's index and the request's
// sequence number on it.
func NewUID(uid *UID, conn uint32, seq uint64) {
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
