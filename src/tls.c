/*
 * tls.c - GnuTLS: server credentials and handshake, the client side, and
 * the record I/O of a TLS stream.
 */
#include <sys/stat.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "tls.h"
#include "util.h"

/*
 * The largest certificate chain or key file read: a chain of a dozen
 * RSA-4096 certificates is under 30 KiB; this bounds what a wrong path
 * (a log file, a device) can make the master read.
 */
#define TLS_FILE_MAX	(1024 * 1024)

/*
 * How GnuTLS (3.6.4 and later, lib/stek.c) turns a ticket key into the
 * key that encrypts tickets: SHA3-512 of the period number (8 bytes, big
 * endian) and the key, the period being three ticket lifetimes (GnuTLS's
 * default of 6 hours, which calcd keeps).  A ticket begins with the first
 * TLS_TICKET_NAME_SIZE bytes of it, its key name; GnuTLS accepts tickets
 * of the current and the period before.  tests/integration/tls_ticket_
 * rotation.sh fails if a GnuTLS update changes this.
 */
#define TLS_TICKET_PERIOD	(3 * 6 * 60 * 60)
#define TLS_TICKET_NAME_SIZE	16

#define TLS_EXT_SESSION_TICKET	35	/* RFC 5077: TLS 1.2 */
#define TLS_EXT_PRE_SHARED_KEY	41	/* RFC 8446 4.2.11: TLS 1.3 */

struct tls_server {
	gnutls_certificate_credentials_t	 cred;
	gnutls_priority_t			 prio;
	gnutls_datum_t				 ticket_key;
	gnutls_datum_t				 prev_key; /* or none */
	int					 reloaded; /* from prev */
	int					 global; /* holds GnuTLS */
};

/*
 * Each server and client holds a reference on GnuTLS's global state,
 * taken before its first GnuTLS call and dropped after its last: calcc
 * and calcd-bench define GNUTLS_SKIP_GLOBAL_INIT, so that a run which
 * makes no TLS connection (calcc --local, plain TCP) does not pay for
 * GnuTLS's initialisation at start-up.  In a program that lets the
 * library initialise itself (calcd) this only counts references.
 */
static int
tls_global_init(char *err, size_t errlen)
{
	int	 rc;

	if ((rc = gnutls_global_init()) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

/* Wipe and free a ticket key. */
static void
tls_free_key(gnutls_datum_t *d)
{
	if (d->data) {
		gnutls_memset(d->data, 0, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

/* Copy a ticket key, so that tickets stay valid across a reload. */
static int
tls_copy_key(gnutls_datum_t *to, const gnutls_datum_t *from)
{
	if (from->data == NULL)
		return 0;
	if ((to->data = gnutls_malloc(from->size)) == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	memcpy(to->data, from->data, from->size);
	to->size = from->size;
	return 0;
}

/*
 * Read the file named by keyword's value into d, NUL-terminated, so that
 * an error names the file and the system's reason ("tls-key /x: No such
 * file or directory"), which GnuTLS's own loader does not tell apart.
 * Returns 0, or -1 with a message in err.
 */
static int
tls_read_file(const char *keyword, const char *path, gnutls_datum_t *d,
    char *err, size_t errlen)
{
	struct stat	 sb;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd;

	d->data = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > TLS_FILE_MAX) {
		snprintf(err, errlen, "%s %s: not a regular file of at most "
		    "%d bytes", keyword, path, TLS_FILE_MAX);
		close(fd);
		return -1;
	}
	if ((d->data = gnutls_malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)sb.st_size) {
		n = read(fd, d->data + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	d->data[got] = '\0';
	d->size = (unsigned)got;
	close(fd);
	return 0;
 fail:
	snprintf(err, errlen, "%s %s: %s", keyword, path, strerror(errno));
	if (fd != -1)
		close(fd);
	gnutls_free(d->data);
	d->data = NULL;
	return -1;
}

/*
 * Check that cert holds PEM certificates and key a PEM private key, so
 * that the error names the file at fault and what it holds instead.
 */
static int
tls_check_pair(const char *certfile, const gnutls_datum_t *cert,
    const char *keyfile, const gnutls_datum_t *key, char *err, size_t errlen)
{
	gnutls_x509_crt_t	*crts = NULL;
	gnutls_x509_privkey_t	 pk;
	unsigned		 i, ncrts = 0;
	int			 rc;

	rc = gnutls_x509_crt_list_import2(&crts, &ncrts, cert,
	    GNUTLS_X509_FMT_PEM, 0);
	for (i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	if (rc < 0 && strstr((char *)cert->data, "PRIVATE KEY-----") != NULL) {
		snprintf(err, errlen, "tls-certificate %s: a private key, not "
		    "a certificate", certfile);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "tls-certificate %s: no PEM certificate "
		    "in it (%s)", certfile, gnutls_strerror(rc));
		return -1;
	}
	if ((rc = gnutls_x509_privkey_init(&pk)) < 0) {
		snprintf(err, errlen, "%s", gnutls_strerror(rc));
		return -1;
	}
	rc = gnutls_x509_privkey_import2(pk, key, GNUTLS_X509_FMT_PEM, NULL,
	    0);
	gnutls_x509_privkey_deinit(pk);
	if (rc < 0 && strstr((char *)key->data, "-----BEGIN CERTIFICATE") !=
	    NULL) {
		snprintf(err, errlen, "tls-key %s: a certificate, not a "
		    "private key", keyfile);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "tls-key %s: no PEM private key in it "
		    "(%s)", keyfile, gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Read, check and load the certificate chain and key into ts->cred.
 * Returns 0, or -1 with a message naming the file in err.
 */
static int
tls_load_pair(struct tls_server *ts, const char *certfile,
    const char *keyfile, char *err, size_t errlen)
{
	gnutls_datum_t	 cert = { NULL, 0 }, key = { NULL, 0 };
	int		 rc = -1;

	if (tls_read_file("tls-certificate", certfile, &cert, err,
	    errlen) == -1 ||
	    tls_read_file("tls-key", keyfile, &key, err, errlen) == -1 ||
	    tls_check_pair(certfile, &cert, keyfile, &key, err, errlen) == -1)
		goto done;
	rc = gnutls_certificate_set_x509_key_mem2(ts->cred, &cert, &key,
	    GNUTLS_X509_FMT_PEM, NULL, 0);
	if (rc < 0) {
		snprintf(err, errlen, "tls-certificate %s, tls-key %s: %s",
		    certfile, keyfile, gnutls_strerror(rc));
		rc = -1;
	} else
		rc = 0;
 done:
	gnutls_free(cert.data);
	if (key.data != NULL) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	return rc;
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
	if (tls_global_init(err, errlen) == -1)
		goto fail_msg;
	ts->global = 1;
	if ((rc = gnutls_certificate_allocate_credentials(&ts->cred)) < 0)
		goto fail;
	if (tls_load_pair(ts, certfile, keyfile, err, errlen) == -1)
		goto fail_msg;
	if ((rc = gnutls_priority_init2(&ts->prio, priority, &where, 0)) < 0) {
		snprintf(err, errlen, "tls-priority: %s at '%.20s'",
		    gnutls_strerror(rc), where ? where : "");
		goto fail_msg;
	}
	if (prev != NULL) {
		ts->reloaded = 1;
		if ((rc = tls_copy_key(&ts->ticket_key,
		    &prev->ticket_key)) == 0)
			rc = tls_copy_key(&ts->prev_key, &prev->prev_key);
	} else
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

/*
 * The key of the file: exactly TLS_TICKET_KEY_SIZE bytes, as "head -c 64
 * /dev/urandom" makes them.  Returns 0, or -1 with why in err.
 */
static int
tls_read_ticket_key(const char *file, gnutls_datum_t *key, char *err,
    size_t errlen)
{
	unsigned char	 buf[TLS_TICKET_KEY_SIZE + 1];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "tls-ticket-key-file %s: %s", file,
		    strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != TLS_TICKET_KEY_SIZE) {
		snprintf(err, errlen, "tls-ticket-key-file %s: %s, want %d "
		    "bytes (head -c %d /dev/urandom > %s)", file, n < 0 ?
		    strerror(errno) : "wrong size", TLS_TICKET_KEY_SIZE,
		    TLS_TICKET_KEY_SIZE, file);
		gnutls_memset(buf, 0, sizeof(buf));
		return -1;
	}
	if ((key->data = gnutls_malloc(TLS_TICKET_KEY_SIZE)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(key->data, buf, TLS_TICKET_KEY_SIZE);
	key->size = TLS_TICKET_KEY_SIZE;
	gnutls_memset(buf, 0, sizeof(buf));
	return 0;
}

int
tls_server_ticket_key_file(struct tls_server *ts, const char *file,
    char *err, size_t errlen)
{
	gnutls_datum_t	 key = { NULL, 0 };

	if (tls_read_ticket_key(file, &key, err, errlen) == -1)
		return -1;
	if (ts->ticket_key.size == key.size &&
	    memcmp(ts->ticket_key.data, key.data, key.size) == 0) {
		tls_free_key(&key);	/* unchanged: the previous one stays */
		return 0;
	}
	if (ts->reloaded) {
		tls_free_key(&ts->prev_key);
		ts->prev_key = ts->ticket_key;
	} else
		tls_free_key(&ts->ticket_key);	/* made here, never used */
	ts->ticket_key = key;
	return 0;
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
	tls_free_key(&ts->ticket_key);
	tls_free_key(&ts->prev_key);
	if (ts->global)
		gnutls_global_deinit();
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

/*
 * A signal is not an answer: like plain_read(), try again after it,
 * unless it cancels waits.
 */
static ssize_t
tls_read(struct stream *st, void *buf, size_t len)
{
	ssize_t	 n;

	while ((n = gnutls_record_recv(st->tls, buf, len)) ==
	    GNUTLS_E_INTERRUPTED && !stream_cancelled())
		;
	return n == GNUTLS_E_INTERRUPTED ? STREAM_CANCEL : tls_result(n);
}

/*
 * After GNUTLS_E_INTERRUPTED, the same call with the same bytes (the
 * record is then dropped if waits are cancelled).
 */
static ssize_t
tls_write(struct stream *st, const void *buf, size_t len)
{
	ssize_t	 n;

	while ((n = gnutls_record_send(st->tls, buf, len)) ==
	    GNUTLS_E_INTERRUPTED && !stream_cancelled())
		;
	return n == GNUTLS_E_INTERRUPTED ? STREAM_CANCEL : tls_result(n);
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

/*
 * A handshake refused for what the client offered (a protocol version or
 * suites we do not speak) ends with the alert that says why (RFC 8446
 * section 6), not a silent close; one non-blocking try, since the client
 * may be gone.  A timeout or a closed connection gets none.
 */
static void
tls_refuse(gnutls_session_t s, int rc)
{
	if (rc == GNUTLS_E_TIMEDOUT || rc == GNUTLS_E_PREMATURE_TERMINATION ||
	    rc == GNUTLS_E_PUSH_ERROR || rc == GNUTLS_E_PULL_ERROR ||
	    rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
		return;
	(void)gnutls_alert_send_appropriate(s, rc);
}

/* Where a ClientHello carries its ticket (none: size 0). */
struct tls_ticket {
	const unsigned char	*data;
	size_t			 size;
};

/*
 * gnutls_ext_raw_parse() callback: the ticket of TLS 1.2's SessionTicket
 * extension, or the first identity of TLS 1.3's pre_shared_key, which
 * comes last and wins (a client offering both versions may send both).
 */
static int
tls_find_ticket(void *arg, unsigned id, const unsigned char *d, unsigned n)
{
	struct tls_ticket	*t = arg;
	unsigned		 list, len;

	if (id == TLS_EXT_SESSION_TICKET && n > 0) {
		t->data = d;
		t->size = n;
	} else if (id == TLS_EXT_PRE_SHARED_KEY && n >= 4) {
		list = (unsigned)d[0] << 8 | d[1];
		len = (unsigned)d[2] << 8 | d[3];
		if (list <= n - 2 && len + 6 <= list) {
			t->data = d + 4;
			t->size = len;
		}
	}
	return 0;
}

/*
 * Whether GnuTLS would name a ticket made under key (now or in the
 * period before) name: see TLS_TICKET_PERIOD.
 */
static int
tls_ticket_named(const gnutls_datum_t *key, const unsigned char *name)
{
	unsigned char	 in[8 + TLS_TICKET_KEY_SIZE], out[64];
	uint64_t	 period;
	int		 i, b, found = 0;

	if (key->size != TLS_TICKET_KEY_SIZE)
		return 0;
	period = (uint64_t)time(NULL) / TLS_TICKET_PERIOD;
	for (i = 0; i < 2 && !found; i++, period--) {
		for (b = 0; b < 8; b++)
			in[b] = (unsigned char)(period >> (56 - 8 * b));
		memcpy(in + 8, key->data, TLS_TICKET_KEY_SIZE);
		if (gnutls_hash_fast(GNUTLS_DIG_SHA3_512, in, sizeof(in),
		    out) == 0 && memcmp(out, name, TLS_TICKET_NAME_SIZE) == 0)
			found = 1;
	}
	gnutls_memset(in, 0, sizeof(in));
	gnutls_memset(out, 0, sizeof(out));
	return found;
}

/*
 * Before GnuTLS reads a ClientHello: GnuTLS holds one ticket key per
 * session, so when the ticket offered was made under the previous key of
 * tls-ticket-key-file, the session gets that key instead (the ticket it
 * sends back is then made under it too).  GnuTLS takes a new key until
 * it has used one; a refusal, like a wrong guess, costs a full handshake.
 */
static int
tls_hello_hook(gnutls_session_t s, unsigned htype, unsigned when,
    unsigned incoming, const gnutls_datum_t *msg)
{
	const struct tls_server	*ts = gnutls_session_get_ptr(s);
	struct tls_ticket	 t = { NULL, 0 };

	(void)htype;
	(void)when;
	(void)incoming;
	if (ts == NULL || ts->prev_key.data == NULL ||
	    gnutls_ext_raw_parse(&t, tls_find_ticket, msg,
	    GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO) < 0 ||
	    t.size < TLS_TICKET_NAME_SIZE)
		return 0;
	if (tls_ticket_named(&ts->prev_key, t.data))
		(void)gnutls_session_ticket_enable_server(s, &ts->prev_key);
	return 0;
}

int
tls_accept(struct tls_server *ts, struct stream *st, const char *alpn,
    int timeout_ms, char *err, size_t errlen)
{
	gnutls_session_t	 s;
	gnutls_datum_t		 proto = { (unsigned char *)alpn,
				    alpn ? strlen(alpn) : 0 };
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
	    (alpn && (rc = gnutls_alpn_set_protocols(s, &proto, 1,
	    GNUTLS_ALPN_SERVER_PRECEDENCE)) < 0))
		goto fail;
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	if (ts->prev_key.data != NULL) {
		gnutls_session_set_ptr(s, ts);
		gnutls_handshake_set_hook_function(s,
		    GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_PRE,
		    tls_hello_hook);
	}
	gnutls_transport_set_int(s, st->fd);
	if ((rc = tls_handshake(s, st->fd, timeout_ms)) < 0) {
		tls_refuse(s, rc);
		goto fail;
	}
	st->tls = s;
	st->ops = &tls_ops;
	return 0;
 fail:
	snprintf(err, errlen, "TLS handshake: %s", gnutls_strerror(rc));
	gnutls_deinit(s);
	return -1;
}

/*
 * The client side
 */

struct tls_client {
	gnutls_certificate_credentials_t	 cred;
	gnutls_priority_t			 prio;
	char					*host;
	char					*alpn;		/* or NULL */
	unsigned				 flags;
	int					 sni;	/* host is a name */
	gnutls_datum_t				 known;	/* verified */
	unsigned				 verify_status;
	gnutls_datum_t				 ticket; /* to resume */
	int					 insecure;
	int					 global; /* holds GnuTLS */
};

/*
 * Verify the server's certificate chain and name the first time a
 * certificate is seen; after that, a handshake that presents the same
 * certificate, byte for byte, skips the chain check (the handshake
 * itself still proves the server holds its key).  Without the cache,
 * verification is a third of a load generator's work per handshake.
 */
static int
tls_client_verify(gnutls_session_t s)
{
	struct tls_client	*tc = gnutls_session_get_ptr(s);
	const gnutls_datum_t	*peer;
	unsigned		 n = 0;

	if ((peer = gnutls_certificate_get_peers(s, &n)) == NULL || n == 0)
		return -1;
	if (tc->known.size == peer[0].size &&
	    memcmp(tc->known.data, peer[0].data, peer[0].size) == 0)
		return 0;
	if (gnutls_certificate_verify_peers3(s, tc->host,
	    &tc->verify_status) < 0 || tc->verify_status != 0)
		return -1;
	gnutls_free(tc->known.data);
	tc->known.size = 0;
	if ((tc->known.data = gnutls_malloc(peer[0].size)) == NULL)
		return 0;	/* verified; only the cache is lost */
	memcpy(tc->known.data, peer[0].data, peer[0].size);
	tc->known.size = peer[0].size;
	return 0;
}

/* Trust cafile, or the system's store without one. */
static int
tls_client_trust(struct tls_client *tc, const char *cafile, char *err,
    size_t errlen)
{
	int	 rc;

	if (cafile != NULL)
		rc = gnutls_certificate_set_x509_trust_file(tc->cred, cafile,
		    GNUTLS_X509_FMT_PEM);
	else
		rc = gnutls_certificate_set_x509_system_trust(tc->cred);
	if (rc <= 0) {
		snprintf(err, errlen, "%s: %s", cafile ? cafile :
		    "system trust store", rc == 0 ? "no certificate" :
		    gnutls_strerror(rc));
		return -1;
	}
	gnutls_certificate_set_verify_function(tc->cred, tls_client_verify);
	return 0;
}

/* Whether host is a numeric address, which SNI must not carry. */
static int
tls_is_address(const char *host)
{
	unsigned char	 buf[16];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

struct tls_client *
tls_client_new(const char *host, const char *cafile, int insecure,
    const char *alpn, unsigned flags, char *err, size_t errlen)
{
	struct tls_client	*tc;
	int			 rc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->host = strdup(host)) == NULL ||
	    (alpn != NULL && (tc->alpn = strdup(alpn)) == NULL)) {
		snprintf(err, errlen, "out of memory");
		tls_client_free(tc);
		return NULL;
	}
	if (tls_global_init(err, errlen) == -1) {
		tls_client_free(tc);
		return NULL;
	}
	tc->global = 1;
	tc->flags = flags;
	tc->insecure = insecure;
	tc->sni = !tls_is_address(host);
	if ((rc = gnutls_certificate_allocate_credentials(&tc->cred)) < 0 ||
	    (rc = gnutls_priority_init2(&tc->prio, NULL, NULL, 0)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		tls_client_free(tc);
		return NULL;
	}
	if (!insecure && tls_client_trust(tc, cafile, err, errlen) == -1) {
		tls_client_free(tc);
		return NULL;
	}
	return tc;
}

void
tls_client_free(struct tls_client *tc)
{
	if (tc == NULL)
		return;
	if (tc->cred)
		gnutls_certificate_free_credentials(tc->cred);
	if (tc->prio)
		gnutls_priority_deinit(tc->prio);
	gnutls_free(tc->known.data);
	gnutls_free(tc->ticket.data);
	if (tc->global)
		gnutls_global_deinit();
	free(tc->host);
	free(tc->alpn);
	free(tc);
}

/*
 * Set up a session: one key share (the server's first choice) where the
 * default sends two, SNI for a name, ALPN when asked, and the last
 * session offered with TLS_CLIENT_RESUME.
 */
static int
tls_client_session(struct tls_client *tc, int fd, gnutls_session_t *sp)
{
	gnutls_session_t	 s;
	gnutls_datum_t		 proto;
	unsigned		 flags = GNUTLS_CLIENT | GNUTLS_NONBLOCK |
				    GNUTLS_NO_SIGNAL | GNUTLS_KEY_SHARE_TOP;
	int			 rc;

	if (tc->flags & TLS_CLIENT_NO_TICKETS)
		flags |= GNUTLS_NO_TICKETS;
	if ((rc = gnutls_init(sp, flags)) < 0)
		return rc;
	s = *sp;
	gnutls_session_set_ptr(s, tc);
	proto.data = (unsigned char *)tc->alpn;
	proto.size = tc->alpn ? strlen(tc->alpn) : 0;
	if ((rc = gnutls_priority_set(s, tc->prio)) < 0 ||
	    (rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    tc->cred)) < 0 ||
	    (tc->sni && (rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS,
	    tc->host, strlen(tc->host))) < 0) ||
	    (tc->alpn && (rc = gnutls_alpn_set_protocols(s, &proto, 1,
	    0)) < 0))
		return rc;
	if ((tc->flags & TLS_CLIENT_RESUME) && tc->ticket.size > 0 &&
	    (rc = gnutls_session_set_data(s, tc->ticket.data,
	    tc->ticket.size)) < 0)
		return rc;
	gnutls_transport_set_int(s, fd);
	return 0;
}

int
tls_client_start(struct tls_client *tc, struct stream *st, char *err,
    size_t errlen)
{
	gnutls_session_t	 s = NULL;
	int			 rc;

	if ((rc = tls_client_session(tc, st->fd, &s)) < 0) {
		snprintf(err, errlen, "TLS: %s", gnutls_strerror(rc));
		if (s != NULL)
			gnutls_deinit(s);
		return -1;
	}
	st->tls = s;
	st->ops = &tls_ops;
	return 0;
}

/* Why a client handshake failed, in words, into err. */
static void
tls_client_why(struct tls_client *tc, int rc, char *err, size_t errlen)
{
	gnutls_datum_t	 text = { NULL, 0 };
	size_t		 n;

	if (rc != GNUTLS_E_CERTIFICATE_ERROR) {
		snprintf(err, errlen, "TLS handshake: %s", gnutls_strerror(rc));
		return;
	}
	if (tc->verify_status != 0 &&
	    gnutls_certificate_verification_status_print(tc->verify_status,
	    GNUTLS_CRT_X509, &text, 0) == 0) {
		n = snprintf(err, errlen, "certificate not trusted: %s",
		    (char *)text.data);
		gnutls_free(text.data);
		while (n > 0 && n < errlen && err[n - 1] == ' ')
			err[--n] = '\0';
	} else
		snprintf(err, errlen, "certificate not trusted");
}

int
tls_client_handshake(struct tls_client *tc, struct stream *st, char *err,
    size_t errlen)
{
	int	 rc;

	do
		rc = gnutls_handshake(st->tls);
	while (rc < 0 && rc != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(rc));
	if (rc == GNUTLS_E_SUCCESS)
		return 0;
	if (rc == GNUTLS_E_AGAIN)
		return STREAM_AGAIN;
	tls_client_why(tc, rc, err, errlen);
	return -1;
}

void
tls_client_keep(struct tls_client *tc, const struct stream *st)
{
	gnutls_session_t	 s = st->tls;
	gnutls_datum_t		 d;

	if (!(tc->flags & TLS_CLIENT_RESUME) || s == NULL ||
	    (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3 &&
	    !(gnutls_session_get_flags(s) & GNUTLS_SFLAGS_SESSION_TICKET)))
		return;
	if (gnutls_session_get_data2(s, &d) < 0)
		return;
	gnutls_free(tc->ticket.data);
	tc->ticket = d;
}

int
tls_connect(struct tls_client *tc, struct stream *st, int timeout_ms,
    char *err, size_t errlen)
{
	uint64_t	 deadline = util_now_ms() + timeout_ms, now;
	int		 rc;

	if (tls_client_start(tc, st, err, errlen) == -1)
		return -1;
	while ((rc = tls_client_handshake(tc, st, err, errlen)) ==
	    STREAM_AGAIN) {
		now = util_now_ms();
		if (now >= deadline || stream_wait(st->fd,
		    st->ops->direction(st), (int)(deadline - now)) <= 0) {
			snprintf(err, errlen, "TLS handshake: timed out");
			break;
		}
	}
	if (rc == 0)
		return 0;
	gnutls_deinit(st->tls);
	st->tls = NULL;
	return -1;
}

int
tls_resumed(const struct stream *st)
{
	return st->tls != NULL && gnutls_session_is_resumed(st->tls);
}

size_t
tls_pending(const struct stream *st)
{
	return st->tls != NULL ? gnutls_record_check_pending(st->tls) : 0;
}

/* A certificate time as "2026-12-02 20:52:57 UTC". */
static void
tls_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

/* The peer's first certificate into ti: names, validity, fingerprint. */
static void
tls_info_cert(gnutls_session_t s, struct tls_info *ti)
{
	const gnutls_datum_t	*peer;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 dn;
	unsigned char		 fp[32];
	size_t			 fplen = sizeof(fp), i;
	unsigned		 n = 0;

	if ((peer = gnutls_certificate_get_peers(s, &n)) == NULL || n == 0 ||
	    gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &peer[0], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return;
	}
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		snprintf(ti->subject, sizeof(ti->subject), "%.*s",
		    (int)dn.size, dn.data);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
		snprintf(ti->issuer, sizeof(ti->issuer), "%.*s",
		    (int)dn.size, dn.data);
		gnutls_free(dn.data);
	}
	tls_time(gnutls_x509_crt_get_activation_time(crt), ti->not_before,
	    sizeof(ti->not_before));
	tls_time(gnutls_x509_crt_get_expiration_time(crt), ti->not_after,
	    sizeof(ti->not_after));
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp,
	    &fplen) == 0)
		for (i = 0; i < fplen && i * 3 + 3 <= sizeof(ti->sha256); i++)
			snprintf(ti->sha256 + i * 3, 4, "%02X%s", fp[i],
			    i + 1 < fplen ? ":" : "");
	gnutls_x509_crt_deinit(crt);
}

int
tls_client_info(const struct tls_client *tc, const struct stream *st,
    struct tls_info *ti)
{
	gnutls_session_t	 s = st->tls;
	gnutls_datum_t		 proto, text = { NULL, 0 };
	const char		*name;

	memset(ti, 0, sizeof(*ti));
	if (s == NULL)
		return -1;
	snprintf(ti->version, sizeof(ti->version), "%s",
	    gnutls_protocol_get_name(gnutls_protocol_get_version(s)));
	snprintf(ti->cipher, sizeof(ti->cipher), "%s",
	    gnutls_cipher_get_name(gnutls_cipher_get(s)));
	name = gnutls_group_get_name(gnutls_group_get(s));
	snprintf(ti->group, sizeof(ti->group), "%s", name ? name : "?");
	if (gnutls_alpn_get_selected_protocol(s, &proto) == 0)
		snprintf(ti->alpn, sizeof(ti->alpn), "%.*s", (int)proto.size,
		    proto.data);
	ti->resumed = gnutls_session_is_resumed(s) != 0;
	tls_info_cert(s, ti);
	if (tc->insecure)
		snprintf(ti->verify, sizeof(ti->verify),
		    "not verified (--insecure)");
	else if (tc->verify_status == 0)
		snprintf(ti->verify, sizeof(ti->verify), ti->resumed ?
		    "ok (verified when the session began)" :
		    "ok (chain and name of %s)", tc->host);
	else if (gnutls_certificate_verification_status_print(
	    tc->verify_status, GNUTLS_CRT_X509, &text, 0) == 0) {
		snprintf(ti->verify, sizeof(ti->verify), "%s", text.data);
		gnutls_free(text.data);
	} else
		snprintf(ti->verify, sizeof(ti->verify), "failed");
	return 0;
}

void
tls_summary(const struct stream *st, const char **version, const char **cipher,
    int *resumed)
{
	gnutls_session_t	 s = st->tls;

	*version = *cipher = "";
	*resumed = 0;
	if (s == NULL)
		return;
	*version = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
	*cipher = gnutls_cipher_get_name(gnutls_cipher_get(s));
	*resumed = gnutls_session_is_resumed(s);
	if (*version == NULL)
		*version = "";
	if (*cipher == NULL)
		*cipher = "";
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
