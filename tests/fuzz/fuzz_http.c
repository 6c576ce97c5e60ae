/*
 * fuzz_http.c - libFuzzer target for the HTTP request parser
 * (http_parse.c through http_int.h).
 *
 * The first byte chooses the limits (the defaults, or small ones that
 * trip early); the rest is what a client sends on one connection, fed to
 * http_parse() as http.c's loop does: in pieces of random size into a
 * buffer of http.c's size, each complete request checked and dropped,
 * until an error or the end of the input.  The input is parsed twice,
 * once in random pieces and once in the largest ones, and the requests
 * both complete must be the same: the parser's state between two reads
 * may not change what it sees.  Build and run with tests/fuzz/run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "fuzz_split.h"

#define MAX_DIGESTS	64	/* requests compared per input */

/* What one parse of the input saw. */
struct run {
	uint64_t	digest[MAX_DIGESTS];
	size_t		ndone;
	int		status;		/* of the error, or 0 */
};

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_http: %s\n", what);
	abort();
}

static uint64_t
hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* A span must lie inside the head. */
static void
check_span(const struct http_span *sp, size_t head, const char *what)
{
	if (sp->off > head || sp->len > head - sp->off)
		fail(what);
}

/* Run the helpers http.c applies to a request over its parts. */
static void
use_request(const struct http_req *r, const char *buf)
{
	const char *t = buf + r->target.off, *q;
	char *out;
	size_t outlen, i;
	struct http_accept a;

	if ((out = malloc(r->target.len + 1)) == NULL)
		abort();
	if (http_url_decode(t, r->target.len, out, &outlen) == 0 &&
	    outlen > r->target.len)
		fail("url decode grew");
	if ((q = memchr(t, '?', r->target.len)) != NULL &&
	    http_query_param(q + 1, r->target.len - (q + 1 - t), "expr", out,
	    &outlen) == 1 && outlen > r->target.len)
		fail("query parameter longer than the query");
	free(out);
	http_accept_init(&a);
	for (i = 0; i < r->nhdr; i++) {
		if (http_name_eq(buf + r->hdr[i].name.off, r->hdr[i].name.len,
		    "accept"))
			http_accept_scan(&a, buf + r->hdr[i].value.off,
			    r->hdr[i].value.len);
		(void)http_list_has(buf + r->hdr[i].value.off,
		    r->hdr[i].value.len, "close");
	}
	(void)http_accept_json(&a);
	(void)http_header_find(r, buf, "host");
}

/* Check a complete request against the parser's promises; its digest. */
static uint64_t
check_request(const struct http_parser *p, const char *buf, size_t len,
    const struct http_conf *hc)
{
	const struct http_req *r = &p->req;
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	if (r->head_len > p->pos || p->pos > len)
		fail("head or next request past the input");
	if ((unsigned)r->method > HTTP_UNKNOWN || (r->minor != 0 &&
	    r->minor != 1))
		fail("bad method or version");
	check_span(&r->target, r->head_len, "target outside the head");
	if (r->target.len == 0 || r->target.len > hc->max_uri)
		fail("target empty or past max_uri");
	if (r->head_len > hc->max_header_size)
		fail("head past max_header_size");
	if (r->nhdr > hc->max_headers)
		fail("more headers than max_headers");
	for (i = 0; i < r->nhdr; i++) {
		check_span(&r->hdr[i].name, r->head_len, "name outside");
		check_span(&r->hdr[i].value, r->head_len, "value outside");
		if (r->hdr[i].name.len == 0)
			fail("empty header name");
	}
	if (r->bodylen > hc->max_body)
		fail("body past max_body");
	if (r->has_length && !r->chunked && r->bodylen != r->length)
		fail("body differs from Content-Length");
	use_request(r, buf);
	h = hash(h, &r->method, sizeof(r->method));
	h = hash(h, &r->minor, sizeof(r->minor));
	h = hash(h, buf + r->target.off, r->target.len);
	h = hash(h, &r->nhdr, sizeof(r->nhdr));
	h = hash(h, &r->close, sizeof(r->close));
	if (r->bodylen > 0)
		h = hash(h, r->body, r->bodylen);
	return h;
}

/*
 * Parse the connection's bytes in[0..size) as http.c does, in pieces of
 * random size when fs is not NULL, else as many bytes as fit.
 */
static void
run_parser(const struct http_conf *hc, const uint8_t *in, size_t size,
    struct fuzz_split *fs, struct run *run)
{
	struct http_parser p;
	size_t cap = hc->max_header_size + HTTP_READ_SIZE, len = 0, fed = 0;
	size_t n;
	char *buf;

	memset(run, 0, sizeof(*run));
	if ((buf = malloc(cap)) == NULL)
		abort();
	http_parser_init(&p);
	for (;;) {
		switch (http_parse(&p, buf, &len, hc)) {
		case HTTP_PARSE_DONE:
			if (run->ndone < MAX_DIGESTS)
				run->digest[run->ndone] =
				    check_request(&p, buf, len, hc);
			run->ndone++;
			memmove(buf, buf + p.pos, len - p.pos);
			len -= p.pos;
			http_parser_reset(&p);
			continue;
		case HTTP_PARSE_ERROR:
			if (p.status < 400 || p.status > 505)
				fail("error without a 4xx or 5xx status");
			run->status = p.status;
			goto done;
		case HTTP_PARSE_MORE:
			break;
		}
		if (fed == size)
			break;
		if (len == cap)
			fail("parser waits for more with a full buffer");
		n = fs != NULL ? fuzz_split_next(fs) : cap;
		if (n > cap - len)
			n = cap - len;
		if (n > size - fed)
			n = size - fed;
		memcpy(buf + len, in + fed, n);
		len += n;
		fed += n;
	}
 done:
	http_parser_free(&p);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_conf hc;
	struct fuzz_split fs;
	struct run whole, split;
	size_t i, n;

	if (size == 0)
		return 0;
	memset(&hc, 0, sizeof(hc));
	if (data[0] & 1) {
		hc.max_uri = 64;
		hc.max_header_size = 256;
		hc.max_headers = 4;
		hc.max_body = 64;
	} else {
		hc.max_uri = HTTP_DEFAULT_MAX_URI;
		hc.max_header_size = HTTP_DEFAULT_MAX_HEADER_SIZE;
		hc.max_headers = HTTP_DEFAULT_MAX_HEADERS;
		hc.max_body = HTTP_DEFAULT_MAX_BODY;
	}
	fuzz_split_init(&fs, data, size);
	run_parser(&hc, data + 1, size - 1, NULL, &whole);
	run_parser(&hc, data + 1, size - 1, &fs, &split);
	n = whole.ndone < split.ndone ? whole.ndone : split.ndone;
	if (n > MAX_DIGESTS)
		n = MAX_DIGESTS;
	for (i = 0; i < n; i++)
		if (whole.digest[i] != split.digest[i])
			fail("a request differs when its bytes come in pieces");
	return 0;
}
