package objects

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
)

// plainRun finds the first byte that ends a string's plain run wherever it falls in the eight-byte words it
// reads, among bytes that sit next to it in value (0x1f and 0x20, '!' and '#', '[' and ']', 0x7f, 0x80, 0xff).
func TestPlainRunFindsTheFirstSpecialByte(t *testing.T) {
	plain := []byte{0x20, '!', '#', '[', ']', 0x7f, 0x80, 0xff, 'a', '0'}
	for _, special := range []byte{'"', '\\', 0x00, 0x1f, '\n'} {
		for at := range 24 {
			b := make([]byte, 24)
			for i := range b {
				b[i] = plain[i%len(plain)]
			}
			b[at] = special
			if at+3 < len(b) {
				b[at+3] = '"' // a later special byte never hides the first
			}
			assert.Equal(t, at, plainRun(b, 0), "%q at %d", special, at)
			assert.Equal(t, at, plainRun(b, at), "starting on it")
		}
	}
	assert.Equal(t, 24, plainRun(bytes.Repeat([]byte{0x80}, 24), 0), "no special byte: the end")
	assert.Equal(t, 5, plainRun([]byte("abcde"), 0), "shorter than a word")
}

// scanSeeds are valid and invalid JSON at the edges of the grammar.
var scanSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `true`, `false`, `null`, ` {"a" : [1, {"b": null}], "a": "x"} `,
	`"\"\\\/\b\f\n\r\t\u00e9\u2028"`, `"\ud83d\ude00"`, `"\ud800"`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"\x1f\"", "\"\x7f\xff\"",
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `nul`, `truex`, `[1,]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{,}`, `[,1]`,
	`{"a":1 "b":2}`, `[1 2]`, `{1:2}`, `"abc`, `[`, `{`, `]`, `}`, `{"a":[}`, `[{]}`, `1 2`, "\xef\xbb\xbf{}", ``, ` `,
	strings.Repeat("[", maxScanDepth) + strings.Repeat("]", maxScanDepth),
	strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1),
	strings.Repeat(`{"a":`, 50) + `[]` + strings.Repeat(`}`, 50),
}

// skipAgrees steps over data as one value: whatever the scanner takes, the JSON package takes too.
func skipAgrees(t *testing.T, data []byte) {
	var s scanner
	s.reset(data)
	if s.skip() && s.done() {
		dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
		_, err := dec.ReadValue()
		assert.NoError(t, err, "the scanner took what the JSON package refuses: %q", data)
		_, err = dec.ReadToken()
		assert.ErrorIs(t, err, io.EOF, "the scanner took trailing data the JSON package refuses: %q", data)
	}
}

func TestScannerTakesOnlyJSON(t *testing.T) {
	for _, seed := range scanSeeds {
		skipAgrees(t, []byte(seed))
	}
	// And takes what the API server writes: every seed that is valid but for the cases it leaves to the
	// JSON package (escaped surrogates, nesting beyond maxScanDepth).
	for _, valid := range []string{`{}`, `-0`, `1.5e+10`, ` {"a" : [1, {"b": null}], "a": "x"} `, `"\"\\\/\b\f\n\r\t\u00e9\u2028"`, "\"\x7f\xff\""} {
		var s scanner
		s.reset([]byte(valid))
		assert.True(t, s.skip() && s.done(), "%s", valid)
	}
}

func FuzzScannerTakesOnlyJSON(f *testing.F) {
	for _, seed := range scanSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(skipAgrees)
}
