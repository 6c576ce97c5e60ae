/*
 * wire.h - what both ends of calcd's wire agree on: the line protocol's
 * greeting and quit words, the error prefix of every answer, and the
 * size rule of UDP replies.  The server's protocols and the clients
 * (calcc, calcd-bench) take them from here; the ports are in proto.h.
 */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>

#define WIRE_GREETING	"welcome to the calculator! - type exit to leave"
#define WIRE_ERROR	"error: "	/* every error answer starts so */

/*
 * The last lines of a session the server ends without reading more: no
 * request the client sent after its last answer was read, so a client
 * may send them again elsewhere.
 */
#define WIRE_SHUTDOWN	"error: server shutting down"
#define WIRE_SHED	"error: server busy, closing this session"
#define WIRE_BUSY_WHY	"server busy, try again later"	/* a refusal */

/* Whether the len bytes at s are one of the last lines above. */
int	wire_is_goodbye(const char *s, size_t len);

/*
 * A UDP reply is never longer than WIRE_UDP_AMPLIFICATION times its
 * request or WIRE_UDP_REPLY_MIN bytes, whichever is larger (the
 * anti-amplification rule of QUIC, RFC 9000 section 8.1); a longer answer
 * is WIRE_UDP_TOO_LONG, and a client pads its request with trailing
 * blanks to allow a longer one.
 */
#define WIRE_UDP_REPLY_MIN	64
#define WIRE_UDP_AMPLIFICATION	3
#define WIRE_UDP_TOO_LONG	"error: result too long for UDP"
#define WIRE_UDP_PAYLOAD_MAX	65507	/* the largest over IPv4 */

/*
 * The answer to "help": one line, as every answer of the line protocol
 * is, stable so that scripts and tests may rely on it.
 */
#define WIRE_HELP	"operators: + - * / % ^ ** ! ( ); " \
	"functions: sqrt cbrt abs floor ceil round trunc exp ln log log2 " \
	"log10 sin cos tan asin acos atan atan2 sinh cosh tanh min max gcd " \
	"lcm; constants: pi e; variables: ans (the last result), name = expr; " \
	"numbers: 12 1.5e3 0x1f 0o17 0b101; exit or quit leaves"

/* Whether the len bytes at s, around blanks, are "exit" or "quit". */
int	wire_is_quit(const char *s, size_t len);

/* Whether the len bytes at s, around blanks, are "help". */
int	wire_is_help(const char *s, size_t len);

/* The longest reply allowed to a request of len bytes. */
size_t	wire_udp_reply_max(size_t len);

/*
 * The request length that allows a reply of need bytes: len itself when
 * it already does, else the padded length (at most WIRE_UDP_PAYLOAD_MAX).
 */
size_t	wire_udp_pad_for(size_t len, size_t need);

#endif /* WIRE_H */
