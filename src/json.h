/*
 * json.h - the JSON string encoder shared by HTTP's answers and the JSON
 * log (RFC 8259): whatever bytes come in, what goes out is one valid
 * UTF-8 JSON string body, with no raw control byte and no line break.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

/*
 * The length of the valid UTF-8 sequence at s[0..len), or 0 when it is
 * not one (overlong forms, surrogates and code points past U+10FFFF
 * included).
 */
size_t	json_utf8_len(const unsigned char *s, size_t len);

/*
 * The most bytes json_escape() writes for one byte of input: "\u00XX".
 */
#define JSON_ESCAPE_MAX	6

/*
 * Write s[0..len) into out as the inside of a JSON string: quote,
 * backslash and control bytes escaped, invalid UTF-8 as \ufffd.  Writes
 * at most cap - 1 bytes and a NUL, never part of an escape or of a
 * character; returns the bytes written.  *used, when not NULL, is set to
 * the bytes of s taken (less than len when out was too small).
 */
size_t	json_escape(char *out, size_t cap, const char *s, size_t len,
	    size_t *used);

#endif /* JSON_H */
