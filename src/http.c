/*
 * http.c - HTTP/1.1 connections (DESIGN.md section 4): the read loop with
 * its three timeouts, pipelining and keep-alive, the responses, and the
 * endpoints.  The request parser is in http_parse.c, the page and the
 * escaping in http_page.c.
 *
 * One connection at a time, with bounded buffers: the input holds at
 * most a head (max_header_size) and a read; answers to pipelined
 * requests are buffered while complete requests remain in the input,
 * then written in one go.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"
#include "util.h"

#define HTTP_TEXT	"text/plain; charset=utf-8"
#define HTTP_JSON	"application/json"
#define HTTP_HTML	"text/html; charset=utf-8"
#define HTTP_CSS	"text/css; charset=utf-8"
#define HTTP_METRICS	"text/plain; version=0.0.4; charset=utf-8"
#define HTTP_NO_STORE	"Cache-Control: no-store\r\n"
#define HTTP_PAGE_HEADERS \
	"Content-Security-Policy: default-src 'none'; style-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n" \
	"Referrer-Policy: no-referrer\r\n" \
	HTTP_NO_STORE
#define HTTP_STATIC	"Cache-Control: public, max-age=86400\r\n"
#define HTTP_VARY	"Vary: Accept\r\n"	/* the answer depends on it */
#define HTTP_ALLOW_ANY	"GET, HEAD, POST"	/* the server as a whole */
#define HTTP_CONTINUE	"HTTP/1.1 100 Continue\r\n\r\n"
#define HTTP_ERROR_PREFIX "error: "
#define HTTP_RETRY_AFTER	"Retry-After: 1\r\n"	/* a refusal or shed */
#define HTTP_SHED_SEND_MS	1000	/* to write the last answer of a
					   connection shed */

struct http_conn {
	struct stream		*st;
	const struct http_conf	*hc;
	const struct http_hooks	*hooks;
	struct proto_stats	*stats;
	char			*in;		/* requests not yet answered */
	size_t			 inlen;
	size_t			 incap;
	struct http_parser	 p;
	struct http_buf		 out;		/* answers not yet written */
	struct http_buf		 body;		/* the answer being made */
	struct http_buf		 tmp;		/* the decoded expression */
	uint64_t		 head_start;	/* ms, first byte of a head */
	uint64_t		 body_start;	/* ms, the body's first wait */
	uint64_t		 body_in;	/* bytes read before it */
	unsigned long		 served;	/* requests answered */
	int			 continued;	/* 100 Continue was sent */
	const char		*query;		/* of the request, or NULL */
	size_t			 querylen;
	int			 plus;		/* its expr held a '+' (a space) */
	/* the answer being made, besides its body */
	int			 status;
	const char		*type;
	const char		*headers;	/* more header lines */
	const char		*allow;
};

typedef void (*http_handler)(struct http_conn *, const struct http_req *);

struct http_route {
	const char	*path;
	const char	*allow;
	http_handler	 get;		/* GET and HEAD */
	http_handler	 post;
};

static const struct {
	int		 status;
	const char	*reason;
} http_reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 422, "Unprocessable Content" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

static const char *const http_end_names[] = {
	[HTTP_END_CLOSE] = "closed",
	[HTTP_END_IDLE] = "keep-alive timeout",
	[HTTP_END_TIMEOUT] = "request timeout",
	[HTTP_END_BAD] = "bad request",
	[HTTP_END_LIMIT] = "max requests",
	[HTTP_END_ERROR] = "i/o error",
	[HTTP_END_SHED] = "shed",
	[HTTP_END_STOP] = "server stopping",
};

const char *
http_end_name(enum http_end end)
{
	return http_end_names[end];
}

const char *
http_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Unknown";
}

/*
 * The IMF-fixdate of RFC 9110 5.6.7, without the locale, into buf of len
 * bytes (HTTP_DATE_LEN and a NUL).
 */
void
http_date(char *buf, size_t len, time_t t)
{
	static const char	 days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char	 months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm		 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, len, "%s, %02u %s %04u %02u:%02u:%02u GMT",
	    days[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100,
	    months[(unsigned)tm.tm_mon % 12],
	    (unsigned)(tm.tm_year + 1900) % 10000,
	    (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
	    (unsigned)tm.tm_sec % 100);
}

/* Whether the server stops: answers then close the connection. */
static int
http_stopping(const struct http_conn *c)
{
	return c->hooks != NULL && c->hooks->stopping != NULL &&
	    c->hooks->stopping(c->hooks->arg);
}

static void
http_state(struct http_conn *c, enum proto_state st)
{
	if (c->hooks != NULL && c->hooks->state != NULL)
		c->hooks->state(c->hooks->arg, st);
}

/* Set the status line and headers of the answer; the body is c->body. */
static void
http_set(struct http_conn *c, int status, const char *type,
    const char *headers)
{
	c->status = status;
	c->type = type;
	c->headers = headers;
	c->allow = NULL;
}

/* An error answer: a short text naming the status, and why. */
static void
http_error(struct http_conn *c, int status, const char *why)
{
	http_buf_reset(&c->body);
	http_set(c, status, HTTP_TEXT, HTTP_NO_STORE);
	http_buf_addf(&c->body, "%d %s\n", status, http_reason(status));
	if (why != NULL)
		http_buf_addf(&c->body, "%s\n", why);
}

/*
 * The Date header's value for now.  time(2) reads a coarse clock without
 * a system call; the text is made again only when the second changes.
 */
static const char *
http_date_now(void)
{
	static char	 date[HTTP_DATE_LEN + 1];
	static time_t	 made = -1;
	time_t		 now = time(NULL);

	if (now != made) {
		http_date(date, sizeof(date), now);
		made = now;
	}
	return date;
}

/*
 * Append the answer made in c to the output: the head, and the body
 * unless head_only.  close says Connection: close, keepalive10 says
 * Connection: keep-alive to an HTTP/1.0 client.  The head is put
 * together from its pieces: it is made for every answer.
 */
static void
http_respond(struct http_conn *c, int head_only, int close, int keepalive10)
{
	struct http_buf	*o = &c->out;

	if (c->body.failed)
		http_error(c, 500, "out of memory");
	if (c->body.failed)
		http_buf_reset(&c->body);
	http_buf_adds(o, "HTTP/1.1 ");
	http_buf_addu(o, (size_t)c->status);
	http_buf_adds(o, " ");
	http_buf_adds(o, http_reason(c->status));
	http_buf_adds(o, "\r\nDate: ");
	http_buf_add(o, http_date_now(), HTTP_DATE_LEN);
	http_buf_adds(o, "\r\nServer: calcd\r\nContent-Type: ");
	http_buf_adds(o, c->type);
	http_buf_adds(o, "\r\nContent-Length: ");
	http_buf_addu(o, c->body.len);
	http_buf_adds(o, "\r\nX-Content-Type-Options: nosniff\r\n");
	if (c->allow != NULL) {
		http_buf_adds(o, "Allow: ");
		http_buf_adds(o, c->allow);
		http_buf_adds(o, "\r\n");
	}
	if (c->headers != NULL)
		http_buf_adds(o, c->headers);
	if (close)
		http_buf_adds(o, "Connection: close\r\n");
	else if (keepalive10)
		http_buf_adds(o, "Connection: keep-alive\r\n");
	http_buf_adds(o, "\r\n");
	if (!head_only)
		http_buf_add(o, c->body.s, c->body.len);
	c->stats->requests++;
	if (c->status >= 400)
		c->stats->errors++;
}

/* Write the buffered answers.  Returns 0 or -1. */
static int
http_flush(struct http_conn *c)
{
	int	 rc;

	if (c->out.failed)
		return -1;
	if (c->out.len == 0)
		return 0;
	/* A client slow to read is not work: request-timeout ignores it. */
	http_state(c, PROTO_SENDING);
	rc = stream_write(c->st, c->out.s, c->out.len, HTTP_SEND_TIMEOUT_MS);
	http_state(c, PROTO_WORK);
	http_buf_reset(&c->out);
	return rc == 0 ? 0 : -1;
}

/*
 * End the connection after the buffered answers, on our initiative.  The
 * client may still be sending (a body we refused, pipelined requests):
 * stream_close() is a lingering close, so our last answer is not lost to
 * a reset.
 */
static enum http_end
http_close(struct http_conn *c, enum http_end end)
{
	if (http_flush(c) == -1)
		return HTTP_END_ERROR;
	return end;
}

/* Whether the Accept headers of r ask for JSON. */
static int
http_req_json(const struct http_conn *c, const struct http_req *r)
{
	struct http_accept	 a;
	size_t			 i;

	http_accept_init(&a);
	for (i = 0; i < r->nhdr; i++)
		if (http_name_eq(c->in + r->hdr[i].name.off,
		    r->hdr[i].name.len, "accept"))
			http_accept_scan(&a, c->in + r->hdr[i].value.off,
			    r->hdr[i].value.len);
	return http_accept_json(&a);
}

/*
 * The expr parameter of the query, decoded into c->tmp.  Returns 1 with
 * it in *expr and *len, 0 when absent, -1 when it does not decode.  A
 * '+' in the value is a space, as an HTML form encodes it (the form
 * sends a plus as %2B); c->plus says whether there was one, so that an
 * error can show what a hand-typed '+' became.
 */
static int
http_query_expr(struct http_conn *c, const char **expr, size_t *len)
{
	const char	*raw;
	size_t		 rawlen;

	c->plus = 0;
	if (c->query == NULL)
		return 0;
	http_buf_reset(&c->tmp);
	if (http_buf_reserve(&c->tmp, c->querylen) == -1)
		return -1;
	if (http_query_raw(c->query, c->querylen, "expr", c->tmp.s, &raw,
	    &rawlen) == 0)
		return 0;
	c->plus = memchr(raw, '+', rawlen) != NULL;
	*expr = c->tmp.s;
	return http_url_decode(raw, rawlen, c->tmp.s, len) == 0 ? 1 : -1;
}

/*
 * After an engine error on an expression whose '+' became a space: say
 * what was received, so that "1+1" typed in an address is understood.
 */
static void
http_plus_hint(struct http_conn *c, const char *expr, size_t len)
{
	size_t	 i;

	http_buf_adds(&c->body, "received: \"");
	for (i = 0; i < len; i++)	/* one line, whatever was sent */
		http_buf_add(&c->body, (unsigned char)expr[i] < 0x20 ? "?" :
		    expr + i, 1);
	http_buf_adds(&c->body, "\" ('+' in a query is a space; "
	    "write %2B for a plus)\n");
}

/* The engine's answer as the end of a JSON object: , "result": "..." */
static void
http_json_answer(struct http_buf *b, enum calc_status cs, const char *text,
    size_t len)
{
	size_t	 plen = strlen(HTTP_ERROR_PREFIX);

	if (cs == CALC_ERROR && len >= plen &&
	    memcmp(text, HTTP_ERROR_PREFIX, plen) == 0) {
		text += plen;
		len -= plen;
	}
	http_buf_adds(b, cs == CALC_OK ? "\", \"result\": \"" :
	    "\", \"error\": \"");
	http_json_escape(b, text, len);
	http_buf_adds(b, "\"}");
}

static int	http_blank(const char *, size_t);

/*
 * The raw values of the query's "h" parameters: the last n at most, in
 * order, into val[] and len[].  Returns how many.
 */
static size_t
http_query_history(const struct http_conn *c, char *scratch,
    const char **val, size_t *len, size_t n)
{
	const char	*q = c->query, *end = c->query + c->querylen, *v;
	size_t		 count = 0, vlen;

	while (q < end && http_query_raw(q, end - q, "h", scratch, &v,
	    &vlen) == 1) {
		if (count == n) {
			memmove(val, val + 1, (n - 1) * sizeof(*val));
			memmove(len, len + 1, (n - 1) * sizeof(*len));
			count--;
		}
		val[count] = v;
		len[count++] = vlen;
		q = v + vlen + 1;
	}
	return count;
}

/* One hidden input of the form: <input type="hidden" name="h" ...>. */
static void
http_hidden(struct http_buf *b, const char *expr, size_t len)
{
	http_buf_adds(b, "<input type=\"hidden\" name=\"h\" value=\"");
	http_html_escape(b, expr, len);
	http_buf_adds(b, "\">\n");
}

/*
 * The earlier calculations of this page view, carried in the query as
 * "h" parameters: evaluated in order in session s before the current
 * one, listed newest first into hist, and passed on with the current
 * expression (a->expr, when it has an answer) as hidden inputs of the
 * form.  Returns 0, or -1 when memory runs out.
 */
static int
http_page_history(struct http_conn *c, struct calc_session *s,
    const struct http_page_args *a, struct http_buf *hist,
    struct http_buf *hidden)
{
	struct http_buf	 item[HTTP_PAGE_HISTORY];
	const char	*val[HTTP_PAGE_HISTORY], *text;
	size_t		 len[HTTP_PAGE_HISTORY], n, i, dlen, textlen;
	char		*dec;
	enum calc_status cs;

	if (c->query == NULL || (dec = malloc(c->querylen + 1)) == NULL)
		return c->query == NULL ? 0 : -1;
	n = http_query_history(c, dec, val, len, HTTP_PAGE_HISTORY - 1);
	memset(item, 0, sizeof(item));
	for (i = 0; i < n; i++) {
		if (http_url_decode(val[i], len[i], dec, &dlen) == -1 ||
		    (cs = calc_eval(s, dec, dlen, &text, &textlen)) ==
		    CALC_EMPTY)
			continue;
		http_buf_addf(&item[i], "<li%s>", cs == CALC_ERROR ?
		    " class=\"error\"" : "");
		http_html_escape(&item[i], dec, dlen);
		http_buf_adds(&item[i], " = ");
		http_html_escape(&item[i], text, textlen);
		http_buf_adds(&item[i], "</li>\n");
		/* the oldest drops out when the current one joins */
		if (i > 0 || n < HTTP_PAGE_HISTORY - 1 || a->answer == NULL)
			http_hidden(hidden, dec, dlen);
	}
	if (a->answer != NULL)
		http_hidden(hidden, a->expr, a->exprlen);
	for (i = n; i-- > 0; )
		if (item[i].len > 0)
			http_buf_add(hist, item[i].s, item[i].len);
	for (i = 0; i < n; i++)
		http_buf_free(&item[i]);
	free(dec);
	return 0;
}

/*
 * GET /: the page, with the answer when the query has an expression, and
 * the earlier answers of this page view.
 */
static void
http_get_page(struct http_conn *c, const struct http_req *r)
{
	struct http_page_args	 a;
	struct http_buf		 hist = { 0 }, hidden = { 0 };
	struct calc_session	*s;
	enum calc_status	 cs = CALC_EMPTY;
	int			 rc;

	memset(&a, 0, sizeof(a));
	a.req = r;
	a.in = c->in;
	if ((rc = http_query_expr(c, &a.expr, &a.exprlen)) == -1) {
		http_error(c, 400, "bad percent-encoding in the query");
		return;
	}
	if (rc == 0)
		a.expr = NULL;
	if ((s = calc_session_new(c->hc->calc)) == NULL) {
		http_error(c, 500, "out of memory");
		return;
	}
	/* the earlier ones first, for their variables; answer set below */
	a.answer = a.expr != NULL && !http_blank(a.expr, a.exprlen) ?
	    a.expr : NULL;
	if (http_page_history(c, s, &a, &hist, &hidden) == -1) {
		calc_session_free(s);
		http_error(c, 500, "out of memory");
		return;
	}
	a.answer = NULL;
	if (a.expr != NULL)
		cs = calc_eval(s, a.expr, a.exprlen, &a.answer, &a.answerlen);
	if (cs == CALC_EMPTY)
		a.answer = NULL;
	a.error = cs == CALC_ERROR;
	a.plus = c->plus;
	a.history = hist.s;
	a.hidden = hidden.s;
	http_set(c, 200, HTTP_HTML, HTTP_PAGE_HEADERS);
	http_page(&c->body, &a);
	calc_session_free(s);
	http_buf_free(&hist);
	http_buf_free(&hidden);
}

static void
http_get_style(struct http_conn *c, const struct http_req *r)
{
	(void)r;
	http_set(c, 200, HTTP_CSS, HTTP_STATIC);
	http_buf_adds(&c->body, http_style_css);
}

/*
 * GET /calc?expr=EXPR: the answer as text, or JSON when asked; an engine
 * error is a 422 with its message.
 */
static void
http_get_calc(struct http_conn *c, const struct http_req *r)
{
	struct calc_session	*s;
	const char		*expr, *text;
	size_t			 exprlen, textlen;
	enum calc_status	 cs;
	int			 rc, status;

	if ((rc = http_query_expr(c, &expr, &exprlen)) != 1) {
		http_error(c, 400, rc == 0 ? "the parameter expr is missing" :
		    "bad percent-encoding in the query");
		return;
	}
	if ((s = calc_session_new(c->hc->calc)) == NULL) {
		http_error(c, 500, "out of memory");
		return;
	}
	cs = calc_eval(s, expr, exprlen, &text, &textlen);
	status = cs == CALC_OK ? 200 : 422;
	if (cs == CALC_EMPTY)
		http_error(c, 400, "the expression is empty");
	else if (http_req_json(c, r)) {
		http_set(c, status, HTTP_JSON, HTTP_NO_STORE);
		http_buf_adds(&c->body, "{\"expr\": \"");
		http_json_escape(&c->body, expr, exprlen);
		http_json_answer(&c->body, cs, text, textlen);
		http_buf_adds(&c->body, "\n");
	} else {
		http_set(c, status, HTTP_TEXT, HTTP_NO_STORE);
		http_buf_add(&c->body, text, textlen);
		http_buf_adds(&c->body, "\n");
		if (cs == CALC_ERROR && c->plus)
			http_plus_hint(c, expr, exprlen);
	}
	calc_session_free(s);
}

/* Whether s[0..len) is only blanks, for lines we no longer evaluate. */
static int
http_blank(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	return len == 0;
}

/* One line of a POST /calc body, answered. */
static void
http_post_line(struct http_conn *c, struct calc_session *s, int json,
    int *first, const char *line, size_t len)
{
	static const char	 toolarge[] = "error: response too large";
	const char		*text;
	size_t			 textlen;
	enum calc_status	 cs;

	if (c->body.len > HTTP_MAX_RESPONSE) {
		if (http_blank(line, len))
			return;
		cs = CALC_ERROR;
		text = toolarge;
		textlen = sizeof(toolarge) - 1;
	} else if ((cs = calc_eval(s, line, len, &text, &textlen)) ==
	    CALC_EMPTY)
		return;
	if (json) {
		http_buf_adds(&c->body, *first ? "{\"expr\": \"" :
		    ", {\"expr\": \"");
		http_json_escape(&c->body, line, len);
		http_json_answer(&c->body, cs, text, textlen);
	} else {
		http_buf_add(&c->body, text, textlen);
		http_buf_adds(&c->body, "\n");
	}
	*first = 0;
}

/*
 * Whether the request's body is an HTML form's: Content-Type
 * application/x-www-form-urlencoded, parameters after ';' ignored.
 */
static int
http_req_form(const struct http_conn *c, const struct http_req *r)
{
	static const char		 form[] =
	    "application/x-www-form-urlencoded";
	const struct http_header	*h;
	const char			*v, *semi;
	size_t				 len;

	if ((h = http_header_find(r, c->in, "Content-Type")) == NULL)
		return 0;
	v = c->in + h->value.off;
	len = h->value.len;
	if ((semi = memchr(v, ';', len)) != NULL)
		len = semi - v;
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return http_name_eq(v, len, form);
}

/*
 * POST /calc: the body is expressions, one a line (LF or CRLF), answered
 * in order as one session; blank lines get no answer.  A form's body
 * (application/x-www-form-urlencoded) with an expr parameter is read as
 * one: that parameter, decoded, holds the lines.  Without one the body
 * is lines as ever: curl --data-binary labels any body a form.
 */
static void
http_post_calc(struct http_conn *c, const struct http_req *r)
{
	struct calc_session	*s;
	/* No body is a NULL one: no arithmetic on it. */
	const char		*line = r->bodylen > 0 ? r->body : "";
	const char		*end = line + r->bodylen;
	const char		*nl;
	size_t			 len;
	int			 json = http_req_json(c, r), first = 1, rc;

	if (http_req_form(c, r)) {
		http_buf_reset(&c->tmp);
		if (http_buf_reserve(&c->tmp, r->bodylen + 1) == -1) {
			http_error(c, 500, "out of memory");
			return;
		}
		rc = http_query_param(r->body, r->bodylen, "expr", c->tmp.s,
		    &len);
		if (rc == -1) {
			http_error(c, 400, "bad percent-encoding in the form");
			return;
		}
		if (rc == 1) {
			line = c->tmp.s;
			end = c->tmp.s + len;
		}
	}
	if ((s = calc_session_new(c->hc->calc)) == NULL) {
		http_error(c, 500, "out of memory");
		return;
	}
	http_set(c, 200, json ? HTTP_JSON : HTTP_TEXT, HTTP_NO_STORE);
	if (json)
		http_buf_adds(&c->body, "{\"results\": [");
	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		len = nl - line;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		http_post_line(c, s, json, &first, line, len);
	}
	if (json)
		http_buf_adds(&c->body, "]}\n");
	calc_session_free(s);
}

/*
 * GET /headers: the request's headers as JSON, in order, and the client's
 * address (the one a PROXY header named, behind a load balancer).
 */
static void
http_get_headers(struct http_conn *c, const struct http_req *r)
{
	const struct http_header	*h;
	struct http_accept		 a;
	size_t				 i;

	http_accept_init(&a);
	for (i = 0; i < r->nhdr; i++)
		if (http_name_eq(c->in + r->hdr[i].name.off,
		    r->hdr[i].name.len, "accept"))
			http_accept_scan(&a, c->in + r->hdr[i].value.off,
			    r->hdr[i].value.len);
	if (http_accept_html(&a)) {
		http_set(c, 200, HTTP_HTML, HTTP_PAGE_HEADERS HTTP_VARY);
		http_headers_page(&c->body, r, c->in, c->hc->client);
		return;
	}
	http_set(c, 200, HTTP_JSON, HTTP_NO_STORE HTTP_VARY);
	http_buf_adds(&c->body, "{");
	if (c->hc->client != NULL) {
		http_buf_adds(&c->body, "\"client\": \"");
		http_json_escape(&c->body, c->hc->client,
		    strlen(c->hc->client));
		http_buf_adds(&c->body, "\", ");
	}
	http_buf_adds(&c->body, "\"headers\": [");
	for (i = 0; i < r->nhdr; i++) {
		h = &r->hdr[i];
		http_buf_adds(&c->body, i > 0 ? ", {\"name\": \"" :
		    "{\"name\": \"");
		http_json_escape(&c->body, c->in + h->name.off, h->name.len);
		http_buf_adds(&c->body, "\", \"value\": \"");
		http_json_escape(&c->body, c->in + h->value.off, h->value.len);
		http_buf_adds(&c->body, "\"}");
	}
	http_buf_adds(&c->body, "]}\n");
}

static void
http_get_healthz(struct http_conn *c, const struct http_req *r)
{
	(void)r;
	http_set(c, 200, HTTP_TEXT, HTTP_NO_STORE);
	http_buf_adds(&c->body, "ok\n");
}

/*
 * GET /metrics: the caller's text, in a buffer that grows until it fits
 * or reaches HTTP_METRICS_MAX.
 */
static void
http_get_metrics(struct http_conn *c, const struct http_req *r)
{
	size_t	 cap;
	int	 n;

	(void)r;
	if (!c->hc->metrics_allowed) {
		http_error(c, 403, "metrics are not open to your address");
		return;
	}
	if (c->hooks == NULL || c->hooks->metrics == NULL) {
		http_error(c, 500, "no metrics");
		return;
	}
	for (cap = HTTP_METRICS_MIN; cap <= HTTP_METRICS_MAX; cap *= 2) {
		http_buf_reset(&c->body);
		if (http_buf_reserve(&c->body, cap) == -1)
			break;
		n = c->hooks->metrics(c->hooks->arg, c->body.s, cap);
		if (n >= 0 && (size_t)n <= cap) {
			c->body.len = n;
			c->body.s[n] = '\0';
			http_set(c, 200, HTTP_METRICS, HTTP_NO_STORE);
			return;
		}
	}
	http_error(c, 500, "the metrics do not fit");
}

static const struct http_route http_routes[] = {
	{ "/", "GET, HEAD", http_get_page, NULL },
	{ "/style.css", "GET, HEAD", http_get_style, NULL },
	{ "/calc", "GET, HEAD, POST", http_get_calc, http_post_calc },
	{ "/headers", "GET, HEAD", http_get_headers, NULL },
	{ "/healthz", "GET, HEAD", http_get_healthz, NULL },
	{ "/metrics", "GET, HEAD", http_get_metrics, NULL },
};

/*
 * The path of the target t[0..len) in *path, *pathlen, and its query in
 * c->query (NULL without '?').  The origin form "/path?query" and the
 * absolute form "http://host/path?query" are understood.  Returns 0, or
 * -1 for another form.
 */
static int
http_target(struct http_conn *c, const char *t, size_t len,
    const char **path, size_t *pathlen)
{
	const char	*end = t + len, *q, *slash;
	size_t		 skip = 0;

	if (len >= 7 && http_name_eq(t, 7, "http://"))
		skip = 7;
	else if (len >= 8 && http_name_eq(t, 8, "https://"))
		skip = 8;
	if (skip > 0) {
		if ((slash = memchr(t + skip, '/', len - skip)) == NULL)
			slash = end;
		if ((q = memchr(t + skip, '?', len - skip)) != NULL &&
		    q < slash)
			slash = q;
		t = slash;
	} else if (len == 0 || t[0] != '/')
		return -1;
	if ((q = memchr(t, '?', end - t)) == NULL)
		q = end;
	*path = t == q ? "/" : t;
	*pathlen = t == q ? 1 : (size_t)(q - t);
	c->query = q < end ? q + 1 : NULL;
	c->querylen = q < end ? (size_t)(end - q - 1) : 0;
	return 0;
}

static const struct http_route *
http_route_find(const char *path, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++)
		if (strlen(http_routes[i].path) == len &&
		    memcmp(http_routes[i].path, path, len) == 0)
			return &http_routes[i];
	return NULL;
}

/* Make the answer to the complete request r. */
static void
http_route(struct http_conn *c, const struct http_req *r)
{
	const struct http_route	*rt;
	const char		*t = c->in + r->target.off, *path;
	size_t			 pathlen;

	http_buf_reset(&c->body);
	c->query = NULL;
	if (r->method == HTTP_CONNECT || (r->method == HTTP_OPTIONS &&
	    r->target.len == 1 && t[0] == '*')) {
		http_error(c, 405, NULL);
		c->allow = HTTP_ALLOW_ANY;
		return;
	}
	if (http_target(c, t, r->target.len, &path, &pathlen) == -1) {
		http_error(c, 400, "bad request target");
		return;
	}
	if ((rt = http_route_find(path, pathlen)) == NULL) {
		http_error(c, 404, NULL);
		return;
	}
	if (r->method == HTTP_GET || r->method == HTTP_HEAD)
		rt->get(c, r);
	else if (r->method == HTTP_POST && rt->post != NULL)
		rt->post(c, r);
	else {
		http_error(c, 405, NULL);
		c->allow = rt->allow;
	}
}

/*
 * Answer the complete request at the start of the input and drop it from
 * there.  Returns 0 to go on, or -1 with how the connection ended.
 */
static int
http_answer(struct http_conn *c, enum http_end *end)
{
	struct http_req	*r = &c->p.req;
	size_t		 used = c->p.pos;
	int		 limit, close;

	c->served++;
	limit = c->hc->max_requests > 0 && c->served >= c->hc->max_requests;
	close = r->close || limit || http_stopping(c);
	*end = r->close ? HTTP_END_CLOSE : limit ? HTTP_END_LIMIT :
	    HTTP_END_STOP;
	http_route(c, r);
	http_respond(c, r->method == HTTP_HEAD, close, !close && r->minor == 0);
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	/* The client asked to close and sent nothing after: no linger. */
	if (r->close && c->inlen == 0)
		stream_peer_done(c->st);
	http_parser_reset(&c->p);
	c->continued = 0;
	c->head_start = c->inlen > 0 ? util_coarse_ms() : 0;
	c->body_start = 0;
	if (close) {
		*end = http_close(c, *end);
		return -1;
	}
	if (c->out.len >= HTTP_FLUSH_AT && http_flush(c) == -1) {
		*end = HTTP_END_ERROR;
		return -1;
	}
	return 0;
}

/* The parser refused the request: answer its status and close. */
static enum http_end
http_bad(struct http_conn *c)
{
	http_error(c, c->p.status, c->p.why);
	http_respond(c, c->p.req.method == HTTP_HEAD, 1, 0);
	return http_close(c, HTTP_END_BAD);
}

/* A head or a body took too long: 408, and close. */
static enum http_end
http_timeout(struct http_conn *c)
{
	http_error(c, 408, NULL);
	http_respond(c, 0, 1, 0);
	return http_close(c, HTTP_END_TIMEOUT);
}

/* A timeout of the configuration, or its default when it is unset. */
static int
http_ms(int ms, int def)
{
	return ms > 0 ? ms : def;
}

/*
 * The body's deadline, as Apache's mod_reqtimeout MinRate: the body
 * timeout, and one more second for each body_min_rate bytes received, so
 * that a client trickling a byte at a time cannot hold the worker.
 */
static int64_t
http_body_left(struct http_conn *c)
{
	const struct http_conf	*hc = c->hc;
	uint64_t		 now = util_coarse_ms(), got;
	unsigned long		 rate = hc->body_min_rate;

	if (c->body_start == 0) {
		c->body_start = now;
		c->body_in = c->st->bytes_in;
	}
	got = c->st->bytes_in - c->body_in;
	return (int64_t)(c->body_start + http_ms(hc->body_timeout_ms,
	    HTTP_DEFAULT_BODY_TIMEOUT * 1000) +
	    (rate > 0 ? got * 1000 / rate : 0)) - (int64_t)now;
}

/*
 * How long to wait for the next bytes: the keep-alive timeout before a
 * request, what is left of the header timeout in its head, what is left
 * of the body's deadline in its body.  0 when the time is up.
 */
static int
http_wait_ms(struct http_conn *c, int idle, int body)
{
	const struct http_conf	*hc = c->hc;
	int			 header_ms = http_ms(hc->header_timeout_ms,
				    HTTP_DEFAULT_HEADER_TIMEOUT * 1000);
	int64_t			 left;

	if (idle)
		return http_ms(hc->keepalive_timeout_ms,
		    HTTP_DEFAULT_KEEPALIVE_TIMEOUT * 1000);
	if (body)
		left = http_body_left(c);
	else
		left = (int64_t)(c->head_start + header_ms) -
		    (int64_t)util_coarse_ms();
	return left > 0 ? (int)left : 0;
}

/*
 * Shed to make room for other clients while the pool is full: a request
 * half-sent gets a 408, an idle keep-alive connection a 503 that says the
 * server is busy; neither is waited for long.
 */
static enum http_end
http_shed(struct http_conn *c, int idle)
{
	if (idle) {
		http_error(c, 503, "server busy, closing this connection");
		c->headers = HTTP_NO_STORE HTTP_RETRY_AFTER;
	} else
		http_error(c, 408, "server busy, closing this connection");
	http_respond(c, 0, 1, 0);
	(void)stream_write(c->st, c->out.s, c->out.len, HTTP_SHED_SEND_MS);
	http_buf_reset(&c->out);
	return HTTP_END_SHED;
}

/* Expect: 100-continue, once, before we wait for the body.  0 or -1. */
static int
http_continue(struct http_conn *c)
{
	const struct http_req	*r = &c->p.req;

	if (!r->expect_continue || r->minor != 1 || c->continued)
		return 0;
	c->continued = 1;
	return stream_write(c->st, HTTP_CONTINUE, strlen(HTTP_CONTINUE),
	    HTTP_SEND_TIMEOUT_MS) == 0 ? 0 : -1;
}

/*
 * Write what is buffered and wait for more of the request.  Returns 0
 * when bytes came, or -1 with how the connection ended.
 */
static int
http_read(struct http_conn *c, enum http_end *end)
{
	int	 body = http_parse_in_body(&c->p);
	int	 idle = !body && c->inlen == 0, timeout;
	ssize_t	 n;

	if (http_flush(c) == -1 || (body && http_continue(c) == -1)) {
		*end = HTTP_END_ERROR;
		return -1;
	}
	if ((timeout = http_wait_ms(c, idle, body)) == 0) {
		*end = http_timeout(c);
		return -1;
	}
	http_state(c, idle ? PROTO_IDLE : PROTO_PARTIAL);
	n = stream_read(c->st, c->in + c->inlen, c->incap - c->inlen, timeout);
	http_state(c, PROTO_WORK);
	if (n > 0) {
		if (idle)
			c->head_start = util_coarse_ms();
		c->inlen += n;
		return 0;
	}
	if (n == STREAM_TIMEOUT)
		*end = idle ? HTTP_END_IDLE : http_timeout(c);
	else if (n == STREAM_CANCEL && idle && http_stopping(c))
		*end = HTTP_END_STOP;	/* nothing asked: just close */
	else if (n == STREAM_CANCEL)
		*end = http_shed(c, idle);
	else if (n == STREAM_EOF) {
		stream_peer_done(c->st);
		*end = HTTP_END_CLOSE;
	} else
		*end = HTTP_END_ERROR;
	return -1;
}

static enum http_end
http_loop(struct http_conn *c)
{
	enum http_end	 end;

	for (;;) {
		switch (http_parse(&c->p, c->in, &c->inlen, c->hc)) {
		case HTTP_PARSE_DONE:
			if (http_answer(c, &end) == -1)
				return end;
			break;
		case HTTP_PARSE_ERROR:
			return http_bad(c);
		case HTTP_PARSE_MORE:
			if (http_read(c, &end) == -1)
				return end;
			break;
		}
	}
}

/*
 * Set up c for a connection on st; the caller owns what it allocates
 * until http_conn_free().  Returns -1 when out of memory.
 */
static int
http_conn_init(struct http_conn *c, struct stream *st,
    const struct http_conf *hc, const struct http_hooks *hooks,
    struct proto_stats *stats)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->hc = hc;
	c->hooks = hooks;
	c->stats = stats;
	c->incap = hc->max_header_size + HTTP_READ_SIZE;
	http_parser_init(&c->p);
	return (c->in = malloc(c->incap)) == NULL ? -1 : 0;
}

static void
http_conn_free(struct http_conn *c)
{
	http_parser_free(&c->p);
	http_buf_free(&c->out);
	http_buf_free(&c->body);
	http_buf_free(&c->tmp);
	free(c->in);
}

void
http_refuse(int fd, const char *why)
{
	struct http_conn	 c;
	struct proto_stats	 stats = { 0, 0 };

	memset(&c, 0, sizeof(c));
	c.stats = &stats;
	http_error(&c, 503, why);
	c.headers = HTTP_NO_STORE HTTP_RETRY_AFTER;
	http_respond(&c, 0, 1, 0);
	if (!c.out.failed)
		(void)send(fd, c.out.s, c.out.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	http_buf_free(&c.out);
	http_buf_free(&c.body);
}

/*
 * Serve one connection to its end.  Memory is bounded by the limits of hc
 * (a head, a body, their answers); time by its timeouts, each wait
 * bounded, and the engine's limits.  The stream is left open.
 */
enum http_end
http_serve(struct stream *st, const struct http_conf *hc,
    const struct http_hooks *hooks, struct proto_stats *stats)
{
	struct http_conn	 c;
	enum http_end		 end = HTTP_END_ERROR;

	if (http_conn_init(&c, st, hc, hooks, stats) == 0) {
		http_state(&c, PROTO_WORK);
		end = http_loop(&c);
		http_state(&c, PROTO_IDLE);
	}
	http_conn_free(&c);
	return end;
}
