/*
 * tls.h - TLS with GnuTLS: server credentials built by the master before
 * it forks, the handshake that turns a worker's stream into a TLS stream,
 * and the client side.  It knows no protocol: an ALPN name is a string
 * it is given.
 *
 * The master makes one session-ticket key and keeps it across reloads, so
 * a session resumes whichever worker serves the next connection; the key
 * and the private key stay in memory, so the key file may be readable by
 * root only.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include "stream.h"

struct tls_server;

/*
 * Load the certificate chain and key files and the priority string.  The
 * session-ticket key is taken from prev when given (a reload), else made
 * anew.  Returns NULL with a message in err on failure.
 */
struct tls_server *tls_server_new(const char *certfile, const char *keyfile,
		    const char *priority, const struct tls_server *prev,
		    char *err, size_t errlen);

void	tls_server_free(struct tls_server *ts);

#define TLS_TICKET_KEY_SIZE	64	/* bytes of a session-ticket key */

/*
 * Take the session-ticket key from file instead (tls-ticket-key-file):
 * the nodes behind a load balancer that share the file resume each
 * other's sessions.  The file is read again on each reload (ts made with
 * a prev), so a new key there rotates it: the new key makes the tickets,
 * and the key before it still opens its own until the next new key (the
 * ticket sent back on such a resumption is made under it too: GnuTLS
 * holds one key per session).  Returns 0, or -1 with why in err.
 */
int	tls_server_ticket_key_file(struct tls_server *ts, const char *file,
	    char *err, size_t errlen);

/*
 * Run the server handshake on st's socket within timeout_ms, offering the
 * ALPN protocol alpn (NULL: none); on success st reads and writes through
 * TLS.  Returns 0, or -1 with a reason in err.
 */
int	tls_accept(struct tls_server *ts, struct stream *st, const char *alpn,
	    int timeout_ms, char *err, size_t errlen);

/*
 * The client side, shared by calcc and calcd-bench: the trust store and
 * priorities are read once into a struct tls_client, and each connection
 * to the same host starts a session from it.  The handshake can run to a
 * deadline (tls_connect) or step by step on a non-blocking socket
 * (tls_client_start, then tls_client_handshake until it returns 0).
 */
struct tls_client;

#define TLS_CLIENT_NO_TICKETS	0x1	/* refuse tickets: full handshakes */
#define TLS_CLIENT_RESUME	0x2	/* offer the last session kept */

/*
 * Verify servers against cafile (or the system trust store when NULL)
 * and their name against host, unless insecure; offer ALPN alpn (NULL:
 * none).  Returns NULL with a message in err on failure.
 */
struct tls_client *tls_client_new(const char *host, const char *cafile,
		    int insecure, const char *alpn, unsigned flags, char *err,
		    size_t errlen);
void	tls_client_free(struct tls_client *tc);

/*
 * Start a session on st's connected, non-blocking socket: st then reads
 * and writes through it, and stream_close() ends it.  Returns 0, or -1
 * with a reason in err.
 */
int	tls_client_start(struct tls_client *tc, struct stream *st, char *err,
	    size_t errlen);

/*
 * Take the handshake one step: 0 when done, STREAM_AGAIN to wait for the
 * direction st->ops->direction() gives, or -1 with a reason in err.
 */
int	tls_client_handshake(struct tls_client *tc, struct stream *st,
	    char *err, size_t errlen);

/* TLS_CLIENT_RESUME: keep st's session for the next connections. */
void	tls_client_keep(struct tls_client *tc, const struct stream *st);

/*
 * Start a session on st and run its handshake within timeout_ms.
 * Returns 0, or -1 with a reason in err (st's socket is left open).
 */
int	tls_connect(struct tls_client *tc, struct stream *st, int timeout_ms,
	    char *err, size_t errlen);

/* Whether st is a TLS stream whose session was resumed. */
int	tls_resumed(const struct stream *st);

/* Bytes of st's TLS records already read but not yet returned (0: plain). */
size_t	tls_pending(const struct stream *st);

/*
 * The protocol version ("TLS1.3") and cipher ("AES-128-GCM") of st's
 * session, and whether it was resumed; "" and 0 for a plain stream.
 */
void	tls_summary(const struct stream *st, const char **version,
	    const char **cipher, int *resumed);

/* What a client can tell of its TLS session, for calcc -v. */
struct tls_info {
	char	version[16];		/* "TLS1.3" */
	char	cipher[48];		/* "AES-256-GCM" */
	char	group[32];		/* key exchange group: "X25519" */
	char	alpn[32];		/* the protocol agreed, or "" */
	char	subject[256];		/* of the server's certificate, */
	char	issuer[256];		/* "" when none was sent (resumed) */
	char	not_before[32];		/* "2026-12-02 20:52:57 UTC" */
	char	not_after[32];
	char	sha256[100];		/* "AB:CD:...", of the certificate */
	char	verify[160];		/* "ok", or why not */
	int	resumed;
};

/*
 * Describe the TLS session on st, made by tc, into *ti.  Returns 0, or
 * -1 when st is not a TLS stream.
 */
int	tls_client_info(const struct tls_client *tc, const struct stream *st,
	    struct tls_info *ti);

/* "TLS1.3 AES-128-GCM resumed" for the log of a TLS stream. */
void	tls_describe(const struct stream *st, char *buf, size_t len);

#endif /* TLS_H */
