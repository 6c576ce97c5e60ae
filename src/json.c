/*
 * json.c - JSON string escaping (see json.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

size_t
json_utf8_len(const unsigned char *s, size_t len)
{
	uint32_t	 cp, min;
	size_t		 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * The escape of the byte c into esc (at least 7 bytes), or 0 when c
 * stands for itself.
 */
static size_t
json_escape_byte(unsigned char c, char *esc)
{
	char	 named;

	switch (c) {
	case '"':	named = '"';	break;
	case '\\':	named = '\\';	break;
	case '\b':	named = 'b';	break;
	case '\f':	named = 'f';	break;
	case '\n':	named = 'n';	break;
	case '\r':	named = 'r';	break;
	case '\t':	named = 't';	break;
	default:
		if (c < 0x20 || c == 0x7f)
			return (size_t)snprintf(esc, 7, "\\u%04x", c);
		return 0;
	}
	esc[0] = '\\';
	esc[1] = named;
	return 2;
}

size_t
json_escape(char *out, size_t cap, const char *s, size_t len, size_t *used)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[7];
	const char		*piece;
	size_t			 i = 0, o = 0, n, take;

	while (cap > 0 && i < len) {
		take = 1;
		if ((n = json_escape_byte(u[i], esc)) > 0)
			piece = esc;
		else if ((n = json_utf8_len(u + i, len - i)) > 0) {
			piece = s + i;
			take = n;
		} else {
			piece = "\\ufffd";
			n = 6;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, piece, n);
		o += n;
		i += take;
	}
	if (cap > 0)
		out[o] = '\0';
	if (used != NULL)
		*used = i;
	return o;
}
