package objects

import (
	"encoding/binary"
	"math/bits"
)

// scanner reads the JSON grammar over a byte slice, for the fast path: it recognises exactly what the JSON
// package accepts under apiServerJSON (RFC 8259 syntax; any byte of 0x20 and above inside strings, since
// invalid UTF-8 is allowed) and reports false on anything else. Whatever it reports false on, the fast path
// gives up and the JSON package decides, so that a case it refuses but need not (an escaped surrogate,
// nesting deeper than maxScanDepth) costs time, never a different answer; accepting what the JSON package
// refuses would be a bug, which FuzzFastPathAgrees looks for.
//
// Stepping over a value scans its bytes once, with no token built and nothing copied: on the API server's
// reviews this, not the decoding of the few members the rules read, is most of the work.
type scanner struct {
	data []byte
	at   int
	// depth is how many objects and arrays the scanner is inside.
	depth int
	// objects marks, for each level being stepped over (skip), whether it is an object rather than an array.
	objects [maxScanDepth/64 + 1]uint64
}

// maxScanDepth bounds how deep the fast path follows nesting; the API server's objects are a few dozen
// levels deep at most. Deeper input is left to the JSON package, which has its own bound.
const maxScanDepth = 1000

// byteClass tells a string's plain bytes from those that end it or need a look.
var byteClass = func() (c [256]uint8) {
	for b := range 0x20 {
		c[b] = classControl
	}
	c['"'] = classQuote
	c['\\'] = classEscape
	return c
}()

const (
	classPlain uint8 = iota
	classControl
	classQuote
	classEscape
)

func (s *scanner) reset(data []byte) {
	s.data, s.at, s.depth = data, 0, 0
}

// space steps over whitespace and returns the next byte, or 0 at the end of the input.
func (s *scanner) space() byte {
	for s.at < len(s.data) {
		switch c := s.data[s.at]; c {
		case ' ', '\t', '\n', '\r':
			s.at++
		default:
			return c
		}
	}
	return 0
}

// done reports whether nothing but whitespace is left.
func (s *scanner) done() bool {
	return s.space() == 0 && s.at == len(s.data)
}

// consume steps over whitespace and then over c (never 0, which space reports at the end), reporting
// whether c was next.
func (s *scanner) consume(c byte) bool {
	if s.space() != c {
		return false
	}
	s.at++
	return true
}

// enter steps into an object or array whose opening byte is next, within maxScanDepth.
func (s *scanner) enter(open byte) bool {
	if s.depth >= maxScanDepth || !s.consume(open) {
		return false
	}
	s.depth++
	return true
}

// more steps over what follows a member or element: a comma, reporting true, or the closing byte,
// reporting false and leaving the container. Anything else is a syntax error, reported in ok.
func (s *scanner) more(close byte) (more, ok bool) {
	switch s.space() {
	case ',':
		s.at++
		return true, true
	case close:
		s.at++
		s.depth--
		return false, true
	}
	return false, false
}

// empty steps over the closing byte of a container just entered, if it is next.
func (s *scanner) empty(close byte) bool {
	if s.space() != close {
		return false
	}
	s.at++
	s.depth--
	return true
}

// name reads an object member's name and the colon after it, returning the name's bytes. A name with
// escapes is not read: the fast path matches names by their bytes.
func (s *scanner) name() ([]byte, bool) {
	raw, escaped, ok := s.string()
	if !ok || escaped || !s.consume(':') {
		return nil, false
	}
	return raw, true
}

// string steps over a string, returning the bytes between its quotes and whether it holds escapes.
func (s *scanner) string() (raw []byte, escaped, ok bool) {
	if s.space() != '"' {
		return nil, false, false
	}
	start := s.at + 1
	i := start
	for i < len(s.data) {
		i = plainRun(s.data, i)
		if i == len(s.data) {
			break
		}
		switch byteClass[s.data[i]] {
		case classPlain:
			i++
		case classQuote:
			s.at = i + 1
			return s.data[start:i], escaped, true
		case classEscape:
			n, ok := escapeLength(s.data[i:])
			if !ok {
				return nil, false, false
			}
			escaped = true
			i += n
		default:
			return nil, false, false
		}
	}
	return nil, false, false
}

// plainRun returns the index of the first byte at or after i that is not plain in a string (a quote, a
// backslash or a control character), or len(b). It looks at eight bytes at a time: strings are most of
// what the API server sends.
func plainRun(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		quotes := x ^ (ones * '"')
		escapes := x ^ (ones * '\\')
		// Each term flags, in its byte's high bit, the bytes below 0x20, the quotes and the backslashes; only
		// the lowest flag of each is exact, which is the one needed.
		special := ((x - ones*0x20) &^ x) | ((quotes - ones) &^ quotes) | ((escapes - ones) &^ escapes)
		if special &= highs; special != 0 {
			return i + bits.TrailingZeros64(special)/8
		}
	}
	for ; i < len(b); i++ {
		if byteClass[b[i]] != classPlain {
			return i
		}
	}
	return i
}

// escapeLength is the length of the escape sequence at the start of b. An escaped surrogate (\ud800 to
// \udfff) is left to the JSON package, which pairs or replaces it.
func escapeLength(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if len(b) < 6 {
			return 0, false
		}
		var r rune
		for _, c := range b[2:6] {
			var digit byte
			switch {
			case '0' <= c && c <= '9':
				digit = c - '0'
			case 'a' <= c && c <= 'f':
				digit = c - 'a' + 10
			case 'A' <= c && c <= 'F':
				digit = c - 'A' + 10
			default:
				return 0, false
			}
			r = r<<4 | rune(digit)
		}
		if 0xd800 <= r && r <= 0xdfff {
			return 0, false
		}
		return 6, true
	}
	return 0, false
}

// number steps over a number, returning its bytes.
func (s *scanner) number() ([]byte, bool) {
	s.space()
	start, i := s.at, s.at
	digits := func() bool {
		from := i
		for i < len(s.data) && '0' <= s.data[i] && s.data[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(s.data) && s.data[i] == '-' {
		i++
	}
	switch {
	case i < len(s.data) && s.data[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(s.data) && s.data[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(s.data) && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < len(s.data) && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	s.at = i
	return s.data[start:i], true
}

// literal steps over word (true, false or null) if it is next.
func (s *scanner) literal(word string) bool {
	s.space()
	if len(s.data)-s.at < len(word) || string(s.data[s.at:s.at+len(word)]) != word {
		return false
	}
	s.at += len(word)
	return true
}

// skip steps over one value of any kind, nested ones included, without recursion: the kind of each
// container it is inside is one bit of s.objects.
func (s *scanner) skip() bool {
	base := s.depth
	for {
		// A value.
		switch s.space() {
		case '{':
			if !s.enter('{') {
				return false
			}
			s.mark(true)
			if !s.empty('}') {
				if _, ok := s.skipName(); !ok {
					return false
				}
				continue
			}
		case '[':
			if !s.enter('[') {
				return false
			}
			s.mark(false)
			if !s.empty(']') {
				continue
			}
		case '"':
			if _, _, ok := s.string(); !ok {
				return false
			}
		case 't':
			if !s.literal("true") {
				return false
			}
		case 'f':
			if !s.literal("false") {
				return false
			}
		case 'n':
			if !s.literal("null") {
				return false
			}
		default:
			if _, ok := s.number(); !ok {
				return false
			}
		}
		// After a value: close the containers it ends, until one has more to come.
		for {
			if s.depth == base {
				return true
			}
			inObject := s.marked()
			close := byte(']')
			if inObject {
				close = '}'
			}
			more, ok := s.more(close)
			if !ok {
				return false
			}
			if !more {
				continue
			}
			if inObject {
				if _, ok := s.skipName(); !ok {
					return false
				}
			}
			break
		}
	}
}

// skipName steps over a member's name in an object being stepped over, where any valid name will do.
func (s *scanner) skipName() ([]byte, bool) {
	raw, _, ok := s.string()
	if !ok || !s.consume(':') {
		return nil, false
	}
	return raw, true
}

// mark records the kind of the container just entered, at level s.depth.
func (s *scanner) mark(object bool) {
	word, bit := (s.depth-1)/64, uint((s.depth-1)%64)
	if object {
		s.objects[word] |= 1 << bit
	} else {
		s.objects[word] &^= 1 << bit
	}
}

// marked reports whether the container at level s.depth is an object.
func (s *scanner) marked() bool {
	word, bit := (s.depth-1)/64, uint((s.depth-1)%64)
	return s.objects[word]&(1<<bit) != 0
}
