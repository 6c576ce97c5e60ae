/*
 * tls.h - TLS with GnuTLS: server credentials built by the master before
 * it forks, and the handshake that turns a worker's stream into a TLS
 * stream.
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

/*
 * Run the server handshake on st's socket within timeout_ms, offering
 * ALPN "http/1.1" when http is set; on success st reads and writes
 * through TLS.  Returns 0, or -1 with a reason in err.
 */
int	tls_accept(struct tls_server *ts, struct stream *st, int http,
	    int timeout_ms, char *err, size_t errlen);

/*
 * The client side: run a handshake with the server on st's socket within
 * timeout_ms, verifying its certificate against cafile (or the system
 * trust store when NULL) and its name against host, unless insecure.
 * Returns 0, or -1 with a reason in err.
 */
int	tls_connect(struct stream *st, const char *host, const char *cafile,
	    int insecure, int timeout_ms, char *err, size_t errlen);

/*
 * Make st read and write through session (a gnutls_session_t that the
 * caller set up on st's socket, its handshake done or to be driven by
 * the caller).  stream_close() then ends and frees the session and closes
 * the socket at once, without the lingering close: for a load generator
 * that owns its connections.
 */
void	tls_stream_attach(struct stream *st, void *session);

/* "TLS1.3 AES-128-GCM resumed" for the log of a TLS stream. */
void	tls_describe(const struct stream *st, char *buf, size_t len);

#endif /* TLS_H */
