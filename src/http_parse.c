/*
 * http_parse.c - the HTTP/1.1 request parser (RFC 9110, RFC 9112) and the
 * small pure helpers around it.
 *
 * The parser is incremental, in the manner of Redis's networking.c: it
 * is called again with the same buffer each time a read has grown it,
 * keeps its place in struct http_parser, and answers needs-more, done,
 * or an error with the status code to send.  Every dimension is bounded
 * before it is stored: the request target (414, seen before the line
 * ends), the head (431), the number of header lines (431), the body
 * (413, from Content-Length before a byte of it is read), each
 * chunk-size line and the trailers.  The head is strict: CRLF line ends
 * only, no control bytes, no obs-fold, one Host, no ambiguous framing;
 * such a request is refused rather than guessed at, because a proxy in
 * front of us might guess differently (request smuggling).
 *
 * The head stays in the caller's buffer and is described by offsets;
 * body bytes are decoded into req.body and removed from the buffer as
 * they arrive, so the buffer never holds more than a head, a read, and
 * what a pipelining client sent after the request.
 */
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "http_int.h"

static const struct {
	const char		*name;
	enum http_method	 method;
} http_methods[] = {
	{ "GET", HTTP_GET },
	{ "HEAD", HTTP_HEAD },
	{ "POST", HTTP_POST },
	{ "PUT", HTTP_PUT },
	{ "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS },
	{ "PATCH", HTTP_PATCH },
	{ "TRACE", HTTP_TRACE },
	{ "CONNECT", HTTP_CONNECT },
};
#define HTTP_NMETHODS	(sizeof(http_methods) / sizeof(http_methods[0]))

enum http_method
http_method_lookup(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < HTTP_NMETHODS; i++)
		if (strlen(http_methods[i].name) == len &&
		    memcmp(http_methods[i].name, s, len) == 0)
			return http_methods[i].method;
	return HTTP_UNKNOWN;
}

const char *
http_method_name(enum http_method m)
{
	size_t	 i;

	for (i = 0; i < HTTP_NMETHODS; i++)
		if (http_methods[i].method == m)
			return http_methods[i].name;
	return "?";
}

/* Character classes of RFC 9110, without the locale. */
static int
http_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A byte allowed in a field value: VCHAR, obs-text, SP or HTAB. */
static int
http_is_field_char(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

static int
http_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
http_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = http_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Whether the len bytes at s equal name, ignoring ASCII case. */
int
http_name_eq(const char *s, size_t len, const char *name)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' ||
		    http_lower(s[i]) != http_lower(name[i]))
			return 0;
	return name[len] == '\0';
}

/* Trim blanks (OWS) off both ends of s[0..*len); return the new start. */
static const char *
http_trim(const char *s, size_t *len)
{
	while (*len > 0 && http_is_ows(*s))
		s++, (*len)--;
	while (*len > 0 && http_is_ows(s[*len - 1]))
		(*len)--;
	return s;
}

/*
 * Whether the comma-separated list s[0..len) (a Connection or Expect
 * value) has an element equal to token, ignoring case and blanks.
 */
int
http_list_has(const char *s, size_t len, const char *token)
{
	const char	*end = s + len, *comma, *e;
	size_t		 elen;

	while (s < end) {
		if ((comma = memchr(s, ',', end - s)) == NULL)
			comma = end;
		elen = comma - s;
		e = http_trim(s, &elen);
		if (http_name_eq(e, elen, token))
			return 1;
		s = comma + 1;
	}
	return 0;
}

/* The first header called name, or NULL. */
const struct http_header *
http_header_find(const struct http_req *r, const char *buf, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdr; i++)
		if (http_name_eq(buf + r->hdr[i].name.off, r->hdr[i].name.len,
		    name))
			return &r->hdr[i];
	return NULL;
}

/*
 * Percent-decode s[0..len) into out, '+' as a space (HTML forms'
 * application/x-www-form-urlencoded).  out has room for len bytes; the
 * result may hold any byte, NUL included, and is not NUL-terminated.
 * Returns 0, or -1 for a '%' not followed by two hex digits.
 */
int
http_url_decode(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t	 i, n = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			out[n++] = ' ';
		else if (s[i] != '%')
			out[n++] = s[i];
		else {
			if (len - i < 3 || (hi = http_hexval(s[i + 1])) < 0 ||
			    (lo = http_hexval(s[i + 2])) < 0)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	*outlen = n;
	return 0;
}

/*
 * Find the parameter name in the query string q[0..qlen) ("a=1&b=2",
 * without the '?') and point *val at its value as sent, still encoded.
 * The first one wins; a parameter without '=' has an empty value; names
 * that do not decode are skipped.  scratch has room for qlen bytes.
 * Returns 1 when found, 0 when absent.
 */
int
http_query_raw(const char *q, size_t qlen, const char *name, char *scratch,
    const char **val, size_t *vallen)
{
	const char	*end = q + qlen, *amp, *eq;
	size_t		 klen;

	while (q < end) {
		if ((amp = memchr(q, '&', end - q)) == NULL)
			amp = end;
		if ((eq = memchr(q, '=', amp - q)) == NULL)
			eq = amp;
		if (http_url_decode(q, eq - q, scratch, &klen) == 0 &&
		    klen == strlen(name) && memcmp(scratch, name, klen) == 0) {
			*val = eq < amp ? eq + 1 : amp;
			*vallen = amp - *val;
			return 1;
		}
		q = amp + 1;
	}
	return 0;
}

/*
 * Look up the parameter name in the query string q[0..qlen) as
 * http_query_raw() does and decode its value into out, which has room
 * for qlen bytes.  Returns 1 when found, 0 when absent, -1 when its
 * value does not decode.
 */
int
http_query_param(const char *q, size_t qlen, const char *name, char *out,
    size_t *outlen)
{
	const char	*val;
	size_t		 vallen;

	if (http_query_raw(q, qlen, name, out, &val, &vallen) == 0)
		return 0;
	return http_url_decode(val, vallen, out, outlen) == 0 ? 1 : -1;
}

void
http_accept_init(struct http_accept *a)
{
	a->json = a->text = a->text_any = a->any = a->html = -1;
}

/*
 * A qvalue ("0", "0.5", "1.000") in thousandths, or -1 when malformed.
 */
static int
http_qvalue(const char *s, size_t len)
{
	size_t	 i;
	int	 q, scale = 100;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The q of one media range's parameters s[0..len) (after its ';'). */
static int
http_accept_q(const char *s, size_t len)
{
	const char	*end = s + len, *semi, *p;
	size_t		 plen;

	while (s < end) {
		if ((semi = memchr(s, ';', end - s)) == NULL)
			semi = end;
		plen = semi - s;
		p = http_trim(s, &plen);
		if (plen >= 2 && http_lower(p[0]) == 'q' && p[1] == '=')
			return http_qvalue(p + 2, plen - 2);
		s = semi + 1;
	}
	return 1000;
}

static void
http_accept_note(int *slot, int q)
{
	if (q > *slot)
		*slot = q;
}

/*
 * Note the q-values of the media ranges we care about in one Accept
 * value s[0..len); call once for each Accept header.  A range with a
 * malformed q is ignored.
 */
void
http_accept_scan(struct http_accept *a, const char *s, size_t len)
{
	const char	*end = s + len, *comma, *semi, *e;
	size_t		 elen;
	int		 q;

	while (s < end) {
		if ((comma = memchr(s, ',', end - s)) == NULL)
			comma = end;
		if ((semi = memchr(s, ';', comma - s)) == NULL)
			semi = comma;
		elen = semi - s;
		e = http_trim(s, &elen);
		q = semi < comma ? http_accept_q(semi + 1, comma - semi - 1) :
		    1000;
		if (q < 0)
			;
		else if (http_name_eq(e, elen, "application/json"))
			http_accept_note(&a->json, q);
		else if (http_name_eq(e, elen, "text/plain"))
			http_accept_note(&a->text, q);
		else if (http_name_eq(e, elen, "text/html"))
			http_accept_note(&a->html, q);
		else if (http_name_eq(e, elen, "text/*"))
			http_accept_note(&a->text_any, q);
		else if (http_name_eq(e, elen, "*/*"))
			http_accept_note(&a->any, q);
		s = comma + 1;
	}
}

/*
 * Whether to answer JSON: application/json is named with q > 0, and
 * text/plain (named, or through text/ * or * / *, the most specific
 * winning) is not preferred to it.  Without Accept, text.
 */
int
http_accept_json(const struct http_accept *a)
{
	int	 text;

	if (a->json <= 0)
		return 0;
	if (a->text >= 0)
		text = a->text;
	else if (a->text_any >= 0)
		text = a->text_any;
	else
		text = a->any;
	return a->json >= text;
}

/*
 * Whether to answer HTML where JSON is the default (/headers): text/html
 * is named with q > 0, and application/json is not named with a q as
 * high.  A browser asks so; curl's and programs' Accept do not.
 */
int
http_accept_html(const struct http_accept *a)
{
	return a->html > 0 && a->html > a->json;
}

/* http_accept_json() of a single Accept value. */
int
http_wants_json(const char *s, size_t len)
{
	struct http_accept	 a;

	http_accept_init(&a);
	http_accept_scan(&a, s, len);
	return http_accept_json(&a);
}

void
http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	http_parser_reset(p);
}

/* Ready for the next request; keeps the memory for it. */
void
http_parser_reset(struct http_parser *p)
{
	struct http_req	*r = &p->req;
	struct http_req	 keep = *r;

	memset(p, 0, sizeof(*p));
	p->state = HTTP_S_REQLINE;
	r->method = HTTP_UNKNOWN;
	r->hdr = keep.hdr;
	r->hdrcap = keep.hdrcap;
	r->body = keep.body;
	r->bodycap = keep.bodycap;
}

void
http_parser_free(struct http_parser *p)
{
	free(p->req.hdr);
	free(p->req.body);
	p->req.hdr = NULL;
	p->req.body = NULL;
	p->req.hdrcap = p->req.bodycap = 0;
}

int
http_parse_in_body(const struct http_parser *p)
{
	return p->state >= HTTP_S_BODY && p->state < HTTP_S_DONE;
}

static enum http_parse
http_fail(struct http_parser *p, int status, const char *why)
{
	p->status = status;
	p->why = why;
	return HTTP_PARSE_ERROR;
}

/* http_fail() for the steps of the body, which return -1. */
static int
http_fail_step(struct http_parser *p, int status, const char *why)
{
	http_fail(p, status, why);
	return -1;
}

/*
 * The request line is not complete yet: refuse it already when its
 * method or its target has grown past what a valid line can hold, so
 * that a client cannot make us wait for megabytes first.
 */
static enum http_parse
http_reqline_partial(struct http_parser *p, const char *buf, size_t len,
    const struct http_conf *hc)
{
	const char	*s = buf + p->line, *sp1, *sp2;
	size_t		 n = len - p->line, i;

	if ((sp1 = memchr(s, ' ', n)) == NULL) {
		if (n <= HTTP_METHOD_MAX)
			return HTTP_PARSE_MORE;
		for (i = 0; i < n; i++)
			if (!http_is_tchar(s[i]))
				return http_fail(p, 400, "bad request line");
		return http_fail(p, 501, "unknown method");
	}
	sp2 = memchr(sp1 + 1, ' ', s + n - sp1 - 1);
	if (sp2 == NULL && (size_t)(s + n - sp1 - 1) > hc->max_uri)
		return http_fail(p, 414, NULL);
	return HTTP_PARSE_MORE;
}

/* The version "HTTP/1.1" of s[0..len): its minor, -1 garbage, -2 other. */
static int
http_version(const char *s, size_t len)
{
	if (len != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' ||
	    s[5] < '0' || s[5] > '9' || s[7] < '0' || s[7] > '9')
		return -1;
	if (s[5] != '1')
		return -2;
	/* RFC 9112 2.3: a later 1.x is answered as the 1.1 we speak. */
	return s[7] == '0' ? 0 : 1;
}

/*
 * The complete request line s[0..len), without its CRLF, starting at
 * offset off of the buffer.  Its checks go from syntax (400) to length
 * (414), version (505) and method (501).
 */
static enum http_parse
http_reqline(struct http_parser *p, const char *s, size_t len, size_t off,
    const struct http_conf *hc)
{
	struct http_req	*r = &p->req;
	const char	*sp1, *sp2, *end = s + len;
	size_t		 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' && s[i] != ' ')
			return http_fail(p, 400, "control byte in the request");
	if ((sp1 = memchr(s, ' ', len)) == NULL || sp1 == s ||
	    (sp2 = memchr(sp1 + 1, ' ', end - sp1 - 1)) == NULL ||
	    sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', end - sp2 - 1) != NULL)
		return http_fail(p, 400, "bad request line");
	for (i = 0; s + i < sp1; i++)
		if (!http_is_tchar(s[i]))
			return http_fail(p, 400, "bad method");
	for (i = 1; sp1 + i < sp2; i++)
		if ((unsigned char)sp1[i] >= 0x7f)
			return http_fail(p, 400, "bad request target");
	if ((size_t)(sp2 - sp1 - 1) > hc->max_uri)
		return http_fail(p, 414, NULL);
	if ((r->minor = http_version(sp2 + 1, end - sp2 - 1)) == -1)
		return http_fail(p, 400, "bad version");
	if (r->minor == -2)
		return http_fail(p, 505, NULL);
	r->method = http_method_lookup(s, sp1 - s);
	if (r->method == HTTP_UNKNOWN)
		return http_fail(p, 501, "unknown method");
	r->target.off = off + (sp1 + 1 - s);
	r->target.len = sp2 - sp1 - 1;
	p->state = HTTP_S_HEADERS;
	return HTTP_PARSE_MORE;
}

/* Store one header line s[0..len), without its CRLF, at offset off. */
static enum http_parse
http_header(struct http_parser *p, const char *s, size_t len, size_t off,
    const struct http_conf *hc)
{
	struct http_req		*r = &p->req;
	struct http_header	*h;
	const char		*colon, *v;
	size_t			 i, vlen, cap;

	if (http_is_ows(s[0]))
		return http_fail(p, 400, "obsolete line folding");
	if (r->nhdr >= hc->max_headers)
		return http_fail(p, 431, "too many header lines");
	if ((colon = memchr(s, ':', len)) == NULL || colon == s)
		return http_fail(p, 400, "bad header line");
	for (i = 0; s + i < colon; i++)
		if (!http_is_tchar(s[i]))
			return http_fail(p, 400, "bad header name");
	for (i = colon + 1 - s; i < len; i++)
		if (!http_is_field_char(s[i]))
			return http_fail(p, 400, "control byte in header");
	if (r->nhdr == r->hdrcap) {
		cap = r->hdrcap ? r->hdrcap * 2 : 16;
		if (cap > hc->max_headers)
			cap = hc->max_headers;
		if ((h = reallocarray(r->hdr, cap, sizeof(*h))) == NULL)
			return http_fail(p, 500, "out of memory");
		r->hdr = h;
		r->hdrcap = cap;
	}
	vlen = len - (colon + 1 - s);
	v = http_trim(colon + 1, &vlen);
	h = &r->hdr[r->nhdr++];
	h->name.off = off;
	h->name.len = colon - s;
	h->value.off = off + (v - s);
	h->value.len = vlen;
	return HTTP_PARSE_MORE;
}

/*
 * A Content-Length value: digits only.  Returns 0 with the value in *n
 * (SIZE_MAX when it overflows, which no max_body reaches), or -1.
 */
static int
http_content_length(const char *s, size_t len, size_t *n)
{
	size_t	 i, v = 0;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (SIZE_MAX - 9) / 10)
			v = SIZE_MAX;
		else
			v = v * 10 + (s[i] - '0');
	}
	*n = v;
	return 0;
}

/*
 * Count the codings of a Transfer-Encoding value into *nchunked and
 * *nother; parameters are part of the coding and make it unknown.
 * *last_chunked says whether the last coding so far is chunked (the
 * header may come on several lines, which are one list).
 */
static void
http_te_scan(const char *s, size_t len, int *nchunked, int *nother,
    int *last_chunked)
{
	const char	*end = s + len, *comma, *e;
	size_t		 elen;

	while (s < end) {
		if ((comma = memchr(s, ',', end - s)) == NULL)
			comma = end;
		elen = comma - s;
		e = http_trim(s, &elen);
		if (http_name_eq(e, elen, "chunked")) {
			(*nchunked)++;
			*last_chunked = 1;
		} else if (elen > 0) {
			(*nother)++;
			*last_chunked = 0;
		}
		s = comma + 1;
	}
}

/* Whether c may appear in a reg-name (RFC 3986): unreserved, sub-delims. */
static int
http_regname_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=", c) != NULL;
}

/*
 * Whether v[0..len) is a valid Host value (RFC 9112 section 3.2, RFC 3986
 * section 3.2.2): uri-host [ ":" port ], where uri-host is an IP literal
 * in brackets, or a reg-name (an IPv4 address is one) of unreserved
 * characters, sub-delims and %XX; it may be empty.  No userinfo, no
 * blanks, a port of digits only.
 */
int
http_host_valid(const char *v, size_t len)
{
	size_t	 i = 0;

	if (len > 0 && v[0] == '[') {
		for (i = 1; i < len && v[i] != ']'; i++)
			if (!isxdigit((unsigned char)v[i]) && v[i] != ':' &&
			    v[i] != '.' && v[i] != 'v' && v[i] != 'V')
				return 0;
		if (i == len || i == 1)
			return 0;
		i++;
	} else
		for (; i < len && v[i] != ':'; i++) {
			if (v[i] == '%') {
				if (i + 2 >= len ||
				    !isxdigit((unsigned char)v[i + 1]) ||
				    !isxdigit((unsigned char)v[i + 2]))
					return 0;
				i += 2;
			} else if (!http_regname_char((unsigned char)v[i]))
				return 0;
		}
	if (i == len)
		return 1;
	if (v[i] != ':')
		return 0;
	for (i++; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return 1;
}

/* The fields that frame the request and decide the connection. */
struct http_fields {
	int	nhost;
	int	badhost;
	int	last_chunked;
	int	nlength;
	int	badlength;
	int	nte;
	int	nchunked;
	int	nother;
	int	close;
};

static void
http_field(struct http_req *r, struct http_fields *f, const char *n,
    size_t nlen, const char *v, size_t vlen)
{
	size_t	 len = 0;

	if (http_name_eq(n, nlen, "host")) {
		f->nhost++;
		if (!http_host_valid(v, vlen))
			f->badhost = 1;
	}
	else if (http_name_eq(n, nlen, "content-length")) {
		if (http_content_length(v, vlen, &len) == -1 ||
		    (f->nlength > 0 && len != r->length))
			f->badlength = 1;
		r->length = len;
		f->nlength++;
	} else if (http_name_eq(n, nlen, "transfer-encoding")) {
		f->nte++;
		http_te_scan(v, vlen, &f->nchunked, &f->nother,
		    &f->last_chunked);
	} else if (http_name_eq(n, nlen, "connection")) {
		if (http_list_has(v, vlen, "close"))
			f->close = 1;
		if (http_list_has(v, vlen, "keep-alive"))
			r->keepalive10 = 1;
	} else if (http_name_eq(n, nlen, "expect")) {
		if (http_list_has(v, vlen, "100-continue"))
			r->expect_continue = 1;
	}
}

/* Make room in the body for more bytes (bounded by max_body already). */
static int
http_body_reserve(struct http_req *r, size_t more)
{
	size_t	 cap;
	char	*b;

	if (r->bodylen + more <= r->bodycap)
		return 0;
	cap = r->bodycap ? r->bodycap : 4096;
	while (cap < r->bodylen + more)
		cap *= 2;
	if ((b = realloc(r->body, cap)) == NULL)
		return -1;
	r->body = b;
	r->bodycap = cap;
	return 0;
}

/*
 * The head is complete (head_len bytes): check what frames the body and
 * decide what comes next.  Ambiguous framing is a 400, an unknown
 * transfer coding a 501, a body announced too large a 413 before any of
 * it is read.
 */
static enum http_parse
http_head_done(struct http_parser *p, const char *buf, size_t head_len,
    const struct http_conf *hc)
{
	struct http_req		*r = &p->req;
	struct http_fields	 f;
	size_t			 i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < r->nhdr; i++)
		http_field(r, &f, buf + r->hdr[i].name.off, r->hdr[i].name.len,
		    buf + r->hdr[i].value.off, r->hdr[i].value.len);
	r->head_len = p->pos = head_len;
	r->close = f.close || (r->minor == 0 && !r->keepalive10);
	r->has_length = f.nlength > 0;
	r->chunked = f.nte > 0;
	if (f.nhost > 1 || (r->minor == 1 && f.nhost == 0))
		return http_fail(p, 400, "one Host header is required");
	if (f.badlength)
		return http_fail(p, 400, "bad Content-Length");
	if (f.nte > 0 && f.nlength > 0)
		return http_fail(p, 400,
		    "both Content-Length and Transfer-Encoding");
	if (f.nte > 0 && r->minor == 0)
		return http_fail(p, 400, "Transfer-Encoding in HTTP/1.0");
	if (f.badhost)
		return http_fail(p, 400, "invalid Host");
	/* RFC 9112 section 6.3: the length cannot be known; a 400 */
	if (f.nte > 0 && !f.last_chunked)
		return http_fail(p, 400, "chunked is not the last transfer "
		    "coding");
	if (f.nother > 0)
		return http_fail(p, 501, "unsupported transfer coding");
	if (f.nte > 0 && f.nchunked != 1)
		return http_fail(p, 400, "bad Transfer-Encoding");
	if (r->has_length && r->length > hc->max_body)
		return http_fail(p, 413, NULL);
	if (r->chunked)
		p->state = HTTP_S_CHUNK_SIZE;
	else if (r->has_length && r->length > 0) {
		if (http_body_reserve(r, r->length) == -1)
			return http_fail(p, 500, "out of memory");
		p->remain = r->length;
		p->state = HTTP_S_BODY;
	} else
		p->state = HTTP_S_DONE;
	return HTTP_PARSE_MORE;
}

/*
 * Parse the head in buf[0..len): lines are looked for from where the last
 * call stopped, each complete line is checked once.
 */
static enum http_parse
http_parse_head(struct http_parser *p, const char *buf, size_t len,
    const struct http_conf *hc)
{
	const char	*nl;
	size_t		 end;
	enum http_parse	 rc;
	int		 blank;

	while (p->state == HTTP_S_REQLINE || p->state == HTTP_S_HEADERS) {
		nl = memchr(buf + p->scan, '\n', len - p->scan);
		if (nl == NULL) {
			p->scan = len;
			if (p->state == HTTP_S_REQLINE &&
			    (rc = http_reqline_partial(p, buf, len, hc)) !=
			    HTTP_PARSE_MORE)
				return rc;
			if (len > hc->max_header_size)
				return http_fail(p, 431, "head too large");
			return HTTP_PARSE_MORE;
		}
		end = nl - buf;
		if (end == p->line || buf[end - 1] != '\r')
			return http_fail(p, 400, "bare LF");
		blank = end - 1 == p->line;
		if (blank)
			rc = HTTP_PARSE_MORE;
		else if (p->state == HTTP_S_REQLINE)
			rc = http_reqline(p, buf + p->line, end - 1 - p->line,
			    p->line, hc);
		else
			rc = http_header(p, buf + p->line, end - 1 - p->line,
			    p->line, hc);
		if (rc == HTTP_PARSE_MORE && end + 1 > hc->max_header_size)
			rc = http_fail(p, 431, "head too large");
		if (rc != HTTP_PARSE_MORE)
			return rc;
		/* A blank line ends the head; before the request line it
		 * is skipped, as RFC 9112 2.2 asks. */
		if (blank && p->state == HTTP_S_HEADERS)
			return http_head_done(p, buf, end + 1, hc);
		p->line = p->scan = end + 1;
	}
	return HTTP_PARSE_MORE;
}

/*
 * The steps of the body, each on buf[p->pos..len): 1 when it went on, 0
 * when it needs more bytes, -1 on an error.
 */
static int
http_body_bytes(struct http_parser *p, const char *buf, size_t len)
{
	struct http_req	*r = &p->req;
	size_t		 n = len - p->pos;

	if (n > p->remain)
		n = p->remain;
	if (n == 0)
		return 0;
	memcpy(r->body + r->bodylen, buf + p->pos, n);
	r->bodylen += n;
	p->pos += n;
	p->remain -= n;
	if (p->remain == 0)
		p->state = p->state == HTTP_S_BODY ? HTTP_S_DONE :
		    HTTP_S_CHUNK_END;
	return 1;
}

/* Skip blanks (BWS) from s[*i], before end. */
static void
http_skip_bws(const char *s, size_t *i, size_t end)
{
	while (*i < end && http_is_ows(s[*i]))
		(*i)++;
}

/* A token from s[*i]: 0, or -1 when there is none. */
static int
http_skip_token(const char *s, size_t *i, size_t end)
{
	size_t	 start = *i;

	while (*i < end && http_is_tchar(s[*i]))
		(*i)++;
	return *i > start ? 0 : -1;
}

/* A quoted-string from s[*i], escapes taken: 0, or -1. */
static int
http_skip_quoted(const char *s, size_t *i, size_t end)
{
	if (*i >= end || s[*i] != '"')
		return -1;
	for ((*i)++; *i < end && s[*i] != '"'; (*i)++) {
		if (s[*i] == '\\' && ++*i == end)
			return -1;
		if (!http_is_field_char(s[*i]))
			return -1;
	}
	if (*i >= end)
		return -1;
	(*i)++;
	return 0;
}

/*
 * The chunk extensions of s[i..end), as RFC 9112 section 7.1.1 writes
 * them: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
 * Returns 0 when they are well formed (they are then ignored), else -1.
 */
static int
http_chunk_ext(const char *s, size_t i, size_t end)
{
	for (;;) {
		http_skip_bws(s, &i, end);
		if (i == end)
			return 0;
		if (s[i++] != ';')
			return -1;
		http_skip_bws(s, &i, end);
		if (http_skip_token(s, &i, end) == -1)
			return -1;
		http_skip_bws(s, &i, end);
		if (i == end || s[i] != '=')
			continue;
		i++;
		http_skip_bws(s, &i, end);
		if (http_skip_token(s, &i, end) == -1 &&
		    http_skip_quoted(s, &i, end) == -1)
			return -1;
	}
}

/*
 * A chunk-size line: hex size, then extensions, which are ignored but
 * counted toward max-body with the chunk data, so that a body made of
 * extensions is bounded too.
 */
static int
http_chunk_size(struct http_parser *p, const char *buf, size_t len,
    const struct http_conf *hc)
{
	struct http_req	*r = &p->req;
	const char	*s = buf + p->pos, *nl;
	size_t		 n = len - p->pos, i, size = 0;
	int		 d;

	if ((nl = memchr(s, '\n', n)) == NULL)
		return n > HTTP_CHUNK_LINE_MAX ?
		    http_fail_step(p, 400, "chunk-size line too long") : 0;
	n = nl - s;
	if (n > HTTP_CHUNK_LINE_MAX || n == 0 || s[n - 1] != '\r')
		return http_fail_step(p, 400, "bad chunk-size line");
	for (i = 0; i < n - 1 && (d = http_hexval(s[i])) >= 0; i++) {
		size = size * 16 + d;
		if (size > hc->max_body - r->bodylen)
			return http_fail_step(p, 413, NULL);
	}
	if (i == 0)
		return http_fail_step(p, 400, "bad chunk size");
	if (http_chunk_ext(s, i, n - 1) == -1)
		return http_fail_step(p, 400, "bad chunk extension");
	p->extensions += n - 1 - i;
	if (p->extensions > hc->max_body - r->bodylen ||
	    size > hc->max_body - r->bodylen - p->extensions)
		return http_fail_step(p, 413, NULL);
	if (http_body_reserve(r, size) == -1)
		return http_fail_step(p, 500, "out of memory");
	p->pos += n + 1;
	p->remain = size;
	p->state = size == 0 ? HTTP_S_TRAILERS : HTTP_S_CHUNK_DATA;
	return 1;
}

/* The CRLF that ends a chunk's data. */
static int
http_chunk_end(struct http_parser *p, const char *buf, size_t len)
{
	const char	*s = buf + p->pos;
	size_t		 n = len - p->pos;

	if ((n >= 1 && s[0] != '\r') || (n >= 2 && s[1] != '\n'))
		return http_fail_step(p, 400, "chunk data without its CRLF");
	if (n < 2)
		return 0;
	p->pos += 2;
	p->state = HTTP_S_CHUNK_SIZE;
	return 1;
}

/* One trailer line, or the blank line that ends the body: skipped. */
static int
http_trailer(struct http_parser *p, const char *buf, size_t len,
    const struct http_conf *hc)
{
	const char	*s = buf + p->pos, *nl;
	size_t		 n = len - p->pos, i;

	if ((nl = memchr(s, '\n', n)) == NULL)
		return p->trailers + n > HTTP_TRAILER_MAX ?
		    http_fail_step(p, 431, "trailers too large") : 0;
	n = nl - s;
	p->trailers += n + 1;
	if (n == 0 || s[n - 1] != '\r')
		return http_fail_step(p, 400, "bare LF");
	if (p->trailers > HTTP_TRAILER_MAX || ++p->ntrailers > hc->max_headers)
		return http_fail_step(p, 431, "trailers too large");
	if (n > 1 && (http_is_ows(s[0]) || memchr(s, ':', n - 1) == NULL))
		return http_fail_step(p, 400, "bad trailer line");
	for (i = 0; i < n - 1; i++)
		if (!http_is_field_char(s[i]))
			return http_fail_step(p, 400,
			    "control byte in trailer");
	p->pos += n + 1;
	if (n == 1)
		p->state = HTTP_S_DONE;
	return 1;
}

/*
 * Decode what the buffer holds of the body, then drop those bytes from
 * the buffer, so that what follows (the rest of the body, or pipelined
 * requests) starts right after the head again.
 */
static enum http_parse
http_parse_body(struct http_parser *p, char *buf, size_t *len,
    const struct http_conf *hc)
{
	size_t	 head = p->req.head_len;
	int	 rc = 1;

	while (rc == 1 && p->state != HTTP_S_DONE) {
		switch (p->state) {
		case HTTP_S_BODY:
		case HTTP_S_CHUNK_DATA:
			rc = http_body_bytes(p, buf, *len);
			break;
		case HTTP_S_CHUNK_SIZE:
			rc = http_chunk_size(p, buf, *len, hc);
			break;
		case HTTP_S_CHUNK_END:
			rc = http_chunk_end(p, buf, *len);
			break;
		case HTTP_S_TRAILERS:
			rc = http_trailer(p, buf, *len, hc);
			break;
		default:
			rc = -1;
			break;
		}
	}
	if (rc == -1)
		return HTTP_PARSE_ERROR;
	memmove(buf + head, buf + p->pos, *len - p->pos);
	*len -= p->pos - head;
	p->pos = head;
	return p->state == HTTP_S_DONE ? HTTP_PARSE_DONE : HTTP_PARSE_MORE;
}

/*
 * Go on parsing the request at the start of buf[0..*len), which has grown
 * since the last call (or not).  Returns HTTP_PARSE_DONE when the request
 * is complete: its head is buf[0..req.head_len), its body in req.body,
 * and the next request starts at buf + p->pos.  HTTP_PARSE_ERROR sets
 * p->status to the status to answer before closing.  Body bytes are
 * removed from buf, which is why *len may shrink.  The cost of a call is
 * linear in the new bytes, plus the length of the line being read.
 */
enum http_parse
http_parse(struct http_parser *p, char *buf, size_t *len,
    const struct http_conf *hc)
{
	enum http_parse	 rc;

	if (p->state == HTTP_S_REQLINE || p->state == HTTP_S_HEADERS) {
		rc = http_parse_head(p, buf, *len, hc);
		if (rc != HTTP_PARSE_MORE)
			return rc;
	}
	if (p->state == HTTP_S_REQLINE || p->state == HTTP_S_HEADERS)
		return HTTP_PARSE_MORE;
	return http_parse_body(p, buf, len, hc);
}
