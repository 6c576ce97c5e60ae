/*
 * tls.c - GnuTLS server credentials, handshake and record I/O.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "tls.h"
#include "util.h"

struct tls_server {
	gnutls_certificate_credentials_t	 cred;
	gnutls_priority_t			 prio;
	gnutls_datum_t				 ticket_key;
};

static const gnutls_datum_t tls_alpn_http = {
	(unsigned char *)"http/1.1", 8
};

/* Copy a ticket key, so that tickets stay valid across a reload. */
static int
tls_copy_key(gnutls_datum_t *to, const gnutls_datum_t *from)
{
	if ((to->data = gnutls_malloc(from->size)) == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	memcpy(to->data, from->data, from->size);
	to->size = from->size;
	return 0;
}

struct tls_server *
tls_server_new(const char *certfile, const char *keyfile,
    const char *priority, const struct tls_server *prev, char *err,
    size_t errlen)
{
	struct tls_server	*ts;
	const char		*where = NULL;
	int			 rc;

	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((rc = gnutls_certificate_allocate_credentials(&ts->cred)) < 0)
		goto fail;
	rc = gnutls_certificate_set_x509_key_file2(ts->cred, certfile, keyfile,
	    GNUTLS_X509_FMT_PEM, NULL, 0);
	if (rc < 0) {
		snprintf(err, errlen, "tls-certificate %s, tls-key %s: %s",
		    certfile, keyfile, gnutls_strerror(rc));
		goto fail_msg;
	}
	if ((rc = gnutls_priority_init2(&ts->prio, priority, &where, 0)) < 0) {
		snprintf(err, errlen, "tls-priority: %s at '%.20s'",
		    gnutls_strerror(rc), where ? where : "");
		goto fail_msg;
	}
	if (prev != NULL)
		rc = tls_copy_key(&ts->ticket_key, &prev->ticket_key);
	else
		rc = gnutls_session_ticket_key_generate(&ts->ticket_key);
	if (rc < 0)
		goto fail;
	return ts;
 fail:
	snprintf(err, errlen, "%s", gnutls_strerror(rc));
 fail_msg:
	tls_server_free(ts);
	return NULL;
}

void
tls_server_free(struct tls_server *ts)
{
	if (ts == NULL)
		return;
	if (ts->cred)
		gnutls_certificate_free_credentials(ts->cred);
	if (ts->prio)
		gnutls_priority_deinit(ts->prio);
	if (ts->ticket_key.data) {
		gnutls_memset(ts->ticket_key.data, 0, ts->ticket_key.size);
		gnutls_free(ts->ticket_key.data);
	}
	free(ts);
}

/* Map a GnuTLS record result onto the stream transport's results. */
static ssize_t
tls_result(ssize_t n)
{
	if (n >= 0)
		return n;
	if (n == GNUTLS_E_AGAIN)
		return STREAM_AGAIN;
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return STREAM_EOF;
	/* Renegotiation (GNUTLS_E_REHANDSHAKE) is refused by closing. */
	return STREAM_ERROR;
}

/* A signal is not an answer: like plain_read(), try again after it. */
static ssize_t
tls_read(struct stream *st, void *buf, size_t len)
{
	ssize_t	 n;

	while ((n = gnutls_record_recv(st->tls, buf, len)) ==
	    GNUTLS_E_INTERRUPTED)
		;
	return tls_result(n);
}

/* After GNUTLS_E_INTERRUPTED, the same call with the same bytes. */
static ssize_t
tls_write(struct stream *st, const void *buf, size_t len)
{
	ssize_t	 n;

	while ((n = gnutls_record_send(st->tls, buf, len)) ==
	    GNUTLS_E_INTERRUPTED)
		;
	return tls_result(n);
}

static int
tls_direction(struct stream *st)
{
	return gnutls_record_get_direction(st->tls);
}

/*
 * Send close_notify (on a blocking socket, waiting at most its send
 * timeout), then close, lingering unless the peer is done.
 */
static void
tls_close(struct stream *st)
{
	gnutls_bye(st->tls, GNUTLS_SHUT_WR);
	gnutls_deinit(st->tls);
	st->tls = NULL;
	if (st->linger)
		stream_linger_close(st->fd);
	else
		close(st->fd);
}

static const struct stream_ops tls_ops = {
	tls_read, tls_write, tls_direction, tls_close
};

/* Send close_notify if the socket takes it at once, and close now. */
static void
tls_close_now(struct stream *st)
{
	gnutls_bye(st->tls, GNUTLS_SHUT_WR);
	gnutls_deinit(st->tls);
	st->tls = NULL;
	close(st->fd);
}

static const struct stream_ops tls_attached_ops = {
	tls_read, tls_write, tls_direction, tls_close_now
};

void
tls_stream_attach(struct stream *st, void *session)
{
	st->tls = session;
	st->ops = &tls_attached_ops;
}

/* Why the server's certificate was not trusted, in words. */
static void
tls_verify_error(gnutls_session_t s, char *err, size_t errlen)
{
	gnutls_datum_t	 text = { NULL, 0 };
	unsigned	 status = gnutls_session_get_verify_cert_status(s);

	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &text, 0) == 0) {
		snprintf(err, errlen, "certificate not trusted: %s",
		    (char *)text.data);
		gnutls_free(text.data);
	} else
		snprintf(err, errlen, "certificate not trusted");
}

/* Drive the handshake on the non-blocking socket until the deadline. */
static int
tls_handshake(gnutls_session_t s, int fd, int timeout_ms)
{
	uint64_t	 deadline = util_now_ms() + timeout_ms, now;
	int		 rc;

	for (;;) {
		rc = gnutls_handshake(s);
		if (rc == GNUTLS_E_SUCCESS)
			return 0;
		if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED &&
		    gnutls_error_is_fatal(rc))
			return rc;
		now = util_now_ms();
		if (now >= deadline)
			return GNUTLS_E_TIMEDOUT;
		if (stream_wait(fd, gnutls_record_get_direction(s),
		    (int)(deadline - now)) <= 0)
			return GNUTLS_E_TIMEDOUT;
	}
}

int
tls_accept(struct tls_server *ts, struct stream *st, int http, int timeout_ms,
    char *err, size_t errlen)
{
	gnutls_session_t	 s;
	int			 rc;

	if ((rc = gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL)) < 0) {
		snprintf(err, errlen, "%s", gnutls_strerror(rc));
		return -1;
	}
	if ((rc = gnutls_priority_set(s, ts->prio)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    ts->cred)) < 0 ||
	    (rc = gnutls_session_ticket_enable_server(s,
	    &ts->ticket_key)) < 0 ||
	    (http && (rc = gnutls_alpn_set_protocols(s, &tls_alpn_http, 1,
	    GNUTLS_ALPN_SERVER_PRECEDENCE)) < 0))
		goto fail;
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	gnutls_transport_set_int(s, st->fd);
	if ((rc = tls_handshake(s, st->fd, timeout_ms)) < 0)
		goto fail;
	st->tls = s;
	st->ops = &tls_ops;
	return 0;
 fail:
	snprintf(err, errlen, "TLS handshake: %s", gnutls_strerror(rc));
	gnutls_deinit(s);
	return -1;
}

/* Trust cafile, or the system's store without one. */
static int
tls_client_trust(gnutls_certificate_credentials_t cred, const char *cafile,
    char *err, size_t errlen)
{
	int	 rc;

	if (cafile != NULL)
		rc = gnutls_certificate_set_x509_trust_file(cred, cafile,
		    GNUTLS_X509_FMT_PEM);
	else
		rc = gnutls_certificate_set_x509_system_trust(cred);
	if (rc <= 0) {
		snprintf(err, errlen, "%s: %s", cafile ? cafile :
		    "system trust store", rc == 0 ? "no certificate" :
		    gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * The credentials live as long as the session: the stream's close frees
 * them through the session's user pointer.
 */
static void
tls_client_close(struct stream *st)
{
	gnutls_certificate_credentials_t cred = gnutls_session_get_ptr(st->tls);

	tls_close(st);
	gnutls_certificate_free_credentials(cred);
}

static const struct stream_ops tls_client_ops = {
	tls_read, tls_write, tls_direction, tls_client_close
};

/* Whether host is a numeric address, which SNI must not carry. */
static int
tls_is_address(const char *host)
{
	unsigned char	 buf[16];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

int
tls_connect(struct stream *st, const char *host, const char *cafile,
    int insecure, int timeout_ms, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t	 cred = NULL;
	gnutls_session_t			 s = NULL;
	int					 rc;

	if ((rc = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (rc = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL)) < 0)
		goto fail;
	if (!insecure && tls_client_trust(cred, cafile, err, errlen) == -1)
		goto fail_msg;
	if ((rc = gnutls_set_default_priority(s)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred)) < 0 ||
	    (!tls_is_address(host) && (rc = gnutls_server_name_set(s,
	    GNUTLS_NAME_DNS, host, strlen(host))) < 0))
		goto fail;
	if (!insecure)
		gnutls_session_set_verify_cert(s, host, 0);
	gnutls_session_set_ptr(s, cred);
	gnutls_transport_set_int(s, st->fd);
	if ((rc = tls_handshake(s, st->fd, timeout_ms)) < 0) {
		if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR)
			tls_verify_error(s, err, errlen);
		else
			snprintf(err, errlen, "TLS handshake: %s",
			    gnutls_strerror(rc));
		goto fail_msg;
	}
	st->tls = s;
	st->ops = &tls_client_ops;
	return 0;
 fail:
	snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
 fail_msg:
	if (s)
		gnutls_deinit(s);
	if (cred)
		gnutls_certificate_free_credentials(cred);
	return -1;
}

void
tls_describe(const struct stream *st, char *buf, size_t len)
{
	gnutls_session_t	 s = st->tls;

	if (s == NULL) {
		snprintf(buf, len, "plain");
		return;
	}
	snprintf(buf, len, "%s %s%s",
	    gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
	    gnutls_cipher_get_name(gnutls_cipher_get(s)),
	    gnutls_session_is_resumed(s) ? " resumed" : "");
}
