/*
 * wire.c - the rules both ends of the wire share (see wire.h).
 */
#include <string.h>

#include "wire.h"

/* Whether the len bytes at s, around blanks, are the word w of 4 bytes. */
static int
wire_is_word(const char *s, size_t len, const char *w)
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len == 4 && memcmp(s, w, 4) == 0;
}

int
wire_is_quit(const char *s, size_t len)
{
	return wire_is_word(s, len, "exit") || wire_is_word(s, len, "quit");
}

int
wire_is_help(const char *s, size_t len)
{
	return wire_is_word(s, len, "help");
}

size_t
wire_udp_reply_max(size_t len)
{
	if (len > (size_t)-1 / WIRE_UDP_AMPLIFICATION)
		return (size_t)-1;
	len *= WIRE_UDP_AMPLIFICATION;
	return len > WIRE_UDP_REPLY_MIN ? len : WIRE_UDP_REPLY_MIN;
}

size_t
wire_udp_pad_for(size_t len, size_t need)
{
	size_t	 want;

	if (wire_udp_reply_max(len) >= need)
		return len;
	want = (need + WIRE_UDP_AMPLIFICATION - 1) / WIRE_UDP_AMPLIFICATION;
	return want > WIRE_UDP_PAYLOAD_MAX ? WIRE_UDP_PAYLOAD_MAX : want;
}

int
wire_is_goodbye(const char *s, size_t len)
{
	return (len == sizeof(WIRE_SHUTDOWN) - 1 &&
	    memcmp(s, WIRE_SHUTDOWN, len) == 0) ||
	    (len == sizeof(WIRE_SHED) - 1 && memcmp(s, WIRE_SHED, len) == 0);
}
