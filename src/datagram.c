/*
 * datagram.c - answer one UDP request (see datagram.h).
 *
 * A reply is never more than three times the size of its request or 64
 * bytes, whichever is larger, so that calcd cannot be used to amplify a
 * spoofed flood (the rule of QUIC, RFC 9000 section 8.1); a client pads
 * its request to allow a longer answer.
 */
#include <string.h>

#include "datagram.h"
#include "wire.h"

/* Copy text and a LF into out when it fits in max bytes; else 0. */
static size_t
datagram_put(char *out, size_t max, const char *text, size_t len)
{
	if (len + 1 > max)
		return 0;
	memcpy(out, text, len);
	out[len] = '\n';
	return len + 1;
}

size_t
datagram_answer(const struct calc_limits *lim, const char *req, size_t len,
    char *out, size_t outlen, int *error)
{
	struct calc_session	*calc;
	enum calc_status	 st;
	const char		*text;
	size_t			 textlen, max, n;

	max = wire_udp_reply_max(len);
	if (max > outlen)
		max = outlen;
	*error = 1;
	/* A trailing newline, and the blanks a client pads with. */
	while (len > 0 && (req[len - 1] == '\n' || req[len - 1] == '\r' ||
	    req[len - 1] == ' ' || req[len - 1] == '\t'))
		len--;
	if (wire_is_help(req, len)) {
		*error = 0;
		if ((n = datagram_put(out, max, WIRE_HELP,
		    sizeof(WIRE_HELP) - 1)) == 0) {
			*error = 1;
			n = datagram_put(out, max, WIRE_UDP_TOO_LONG,
			    strlen(WIRE_UDP_TOO_LONG));
		}
		return n;
	}
	if ((calc = calc_session_new(lim)) == NULL)
		return datagram_put(out, max, "error: out of memory", 20);
	st = calc_eval(calc, req, len, &text, &textlen);
	if (st == CALC_EMPTY) {
		text = "error: empty request";
		textlen = strlen(text);
	}
	*error = st != CALC_OK;
	if ((n = datagram_put(out, max, text, textlen)) == 0) {
		*error = 1;
		n = datagram_put(out, max, WIRE_UDP_TOO_LONG,
		    strlen(WIRE_UDP_TOO_LONG));
	}
	calc_session_free(calc);
	return n;
}
