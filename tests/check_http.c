/*
 * check_http.c - the HTTP module: its pure helpers, table by table, then
 * the parser fed whole and byte by byte, then http_serve() over a
 * socketpair, fed raw request bytes by a client thread that collects the
 * raw answer.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http_int.h"
#include "util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ANSWERS	8
#define CLIENT_WAIT_MS	10000	/* a test client gives up after this */
/*
 * How late a timer of a few hundred ms may fire on a loaded machine:
 * the bound says it fired, the status says it fired for the right
 * reason.
 */
#define LATE_MS		3000
#define TEST_METRICS	"# TYPE calcd_up gauge\ncalcd_up 1\n"

/* ---- helpers ---- */

static const struct decode_case {
	const char	*in;
	const char	*out;	/* NULL: an error */
	size_t		 outlen;
} decode_cases[] = {
	{ "", "", 0 },
	{ "6*7", "6*7", 3 },
	{ "a+b", "a b", 3 },
	{ "6%2A7", "6*7", 3 },
	{ "%2b%2B", "++", 2 },
	{ "2%5E64", "2^64", 4 },
	{ "%00x", "\0x", 2 },
	{ "%e2%82%AC", "\xe2\x82\xac", 3 },
	{ "%", NULL, 0 },
	{ "%4", NULL, 0 },
	{ "%zz", NULL, 0 },
	{ "a%4g", NULL, 0 },
};

START_TEST(test_url_decode)
{
	const struct decode_case	*t = &decode_cases[_i];
	char				 out[64];
	size_t				 len;
	int				 rc;

	rc = http_url_decode(t->in, strlen(t->in), out, &len);
	if (t->out == NULL) {
		ck_assert_msg(rc == -1, "%s should fail", t->in);
		return;
	}
	ck_assert_msg(rc == 0, "%s failed", t->in);
	ck_assert_uint_eq(len, t->outlen);
	ck_assert_msg(memcmp(out, t->out, len) == 0, "%s", t->in);
}
END_TEST

static const struct query_case {
	const char	*query;
	int		 rc;
	const char	*value;
} query_cases[] = {
	{ "expr=6*7", 1, "6*7" },
	{ "a=1&expr=2%2B2", 1, "2+2" },
	{ "expr=1+%2B+1", 1, "1 + 1" },
	{ "expr", 1, "" },
	{ "expr=", 1, "" },
	{ "expr=1&expr=2", 1, "1" },
	{ "e%78pr=5", 1, "5" },
	{ "a=%zz&expr=1", 1, "1" },
	{ "exprx=1&xexpr=2", 0, NULL },
	{ "", 0, NULL },
	{ "&&", 0, NULL },
	{ "expr=%zz", -1, NULL },
};

START_TEST(test_query_param)
{
	const struct query_case	*t = &query_cases[_i];
	char			 out[64];
	size_t			 len;
	int			 rc;

	rc = http_query_param(t->query, strlen(t->query), "expr", out,
	    &len);
	ck_assert_msg(rc == t->rc, "%s: %d", t->query, rc);
	if (rc != 1)
		return;
	ck_assert_uint_eq(len, strlen(t->value));
	ck_assert_msg(memcmp(out, t->value, len) == 0, "%s", t->query);
}
END_TEST

static const struct html_case {
	const char	*in;
	const char	*out;
} html_cases[] = {
	{ "6*7", "6*7" },
	{ "<script>alert(1)</script>",
	  "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "a&b\"c'd", "a&amp;b&quot;c&#39;d" },
	{ "tab\there", "tab\there" },
	{ "\x01", "\xef\xbf\xbd" },
	{ "\x7f", "\xef\xbf\xbd" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "\xff", "\xef\xbf\xbd" },
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	  "\xef\xbf\xbd" },
};

START_TEST(test_html_escape)
{
	const struct html_case	*t = &html_cases[_i];
	struct http_buf		 b = { 0 };

	http_html_escape(&b, t->in, strlen(t->in));
	ck_assert_str_eq(b.s, t->out);
	http_buf_free(&b);
}
END_TEST

START_TEST(test_html_escape_nul)
{
	struct http_buf	 b = { 0 };

	http_html_escape(&b, "a\0b", 3);
	ck_assert_str_eq(b.s, "a\xef\xbf\xbd" "b");
	http_buf_free(&b);
}
END_TEST

static const struct json_case {
	const char	*in;
	const char	*out;
} json_cases[] = {
	{ "42", "42" },
	{ "a\"b\\c", "a\\\"b\\\\c" },
	{ "\n\r\t\b\f", "\\n\\r\\t\\b\\f" },
	{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
	{ "</script>", "</script>" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "\xff", "\\ufffd" },
	{ "\xc0\xaf", "\\ufffd\\ufffd" },
};

START_TEST(test_json_escape)
{
	const struct json_case	*t = &json_cases[_i];
	struct http_buf		 b = { 0 };

	http_json_escape(&b, t->in, strlen(t->in));
	ck_assert_str_eq(b.s, t->out);
	http_buf_free(&b);
}
END_TEST

START_TEST(test_json_escape_nul)
{
	struct http_buf	 b = { 0 };

	http_json_escape(&b, "\0", 1);
	ck_assert_str_eq(b.s, "\\u0000");
	http_buf_free(&b);
}
END_TEST

static const struct accept_case {
	const char	*accept;
	int		 json;
} accept_cases[] = {
	{ "", 0 },
	{ "*/*", 0 },
	{ "text/plain", 0 },
	{ "application/json", 1 },
	{ "Application/JSON", 1 },
	{ "text/html, application/json", 1 },
	{ "application/json, text/html", 1 },
	{ "application/json, */*", 1 },
	{ "text/html,application/xhtml+xml,application/json;q=0.9,"
	  "*/*;q=0.8", 1 },
	{ "application/json;q=0", 0 },
	{ "application/json;q=0.000", 0 },
	{ "application/json ; q=0.001", 1 },
	{ "application/json;q=0.5, text/plain", 0 },
	{ "text/plain;q=0.5, application/json", 1 },
	{ "application/json;q=0.5, text/*;q=0.6", 0 },
	{ "application/json;q=0.5, text/*;q=0.6, text/plain;q=0.1", 1 },
	{ "*/*;q=0.1, application/json", 1 },
	{ "application/json;q=1.0, text/plain;q=1", 1 },
	{ "application/json;charset=utf-8;q=0.9, text/*;q=0.8", 1 },
	{ "application/json;q=abc", 0 },
	{ "application/json;q=1.5", 0 },
	{ "application/jsonx", 0 },
	{ "application/json-seq", 0 },
	{ ",,application/json,,", 1 },
};

START_TEST(test_accept)
{
	const struct accept_case	*t = &accept_cases[_i];

	ck_assert_msg(http_wants_json(t->accept, strlen(t->accept)) ==
	    t->json, "%s", t->accept);
}
END_TEST

static const struct list_case {
	const char	*list;
	const char	*token;
	int		 has;
} list_cases[] = {
	{ "close", "close", 1 },
	{ "Close", "close", 1 },
	{ "keep-alive, close", "close", 1 },
	{ " keep-alive ,\tCLOSE\t", "close", 1 },
	{ "closed", "close", 0 },
	{ "", "close", 0 },
	{ ",", "close", 0 },
	{ "Keep-Alive", "keep-alive", 1 },
	{ "100-continue", "100-continue", 1 },
};

START_TEST(test_lists)
{
	const struct list_case	*t = &list_cases[_i];

	ck_assert_msg(http_list_has(t->list, strlen(t->list),
	    t->token) == t->has, "%s", t->list);
}
END_TEST

START_TEST(test_name_eq)
{
	ck_assert(http_name_eq("Content-Length", 14, "content-length"));
	ck_assert(!http_name_eq("Content-Lengt", 13, "content-length"));
	ck_assert(!http_name_eq("Content-Lengthx", 15, "content-length"));
}
END_TEST

START_TEST(test_date_reason)
{
	char	 d[HTTP_DATE_LEN + 1];

	http_date(d, sizeof(d), 784111777);
	ck_assert_str_eq(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_date(d, sizeof(d), 0);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_date(d, sizeof(d), 951782400);
	ck_assert_str_eq(d, "Tue, 29 Feb 2000 00:00:00 GMT");
	ck_assert_str_eq(http_reason(413), "Content Too Large");
	ck_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(http_reason(505), "HTTP Version Not Supported");
	ck_assert_str_eq(http_end_name(HTTP_END_TIMEOUT), "request timeout");
}
END_TEST

/* ---- the parser ---- */

static void
test_conf(struct http_conf *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->max_uri = HTTP_DEFAULT_MAX_URI;
	hc->max_header_size = HTTP_DEFAULT_MAX_HEADER_SIZE;
	hc->max_headers = HTTP_DEFAULT_MAX_HEADERS;
	hc->max_body = HTTP_DEFAULT_MAX_BODY;
	hc->header_timeout_ms = 2000;
	hc->keepalive_timeout_ms = 500;
	hc->body_timeout_ms = 1000;
	hc->max_requests = HTTP_DEFAULT_MAX_REQUESTS;
	hc->calc = NULL;
	hc->listener = "http test";
	hc->metrics_allowed = 1;
}

#define H11	" HTTP/1.1\r\nHost: t\r\n"

/* One request to the parser: the result, the status, the body. */
static const struct {
	const char	*req;
	size_t		 len;		/* 0: strlen */
	int		 status;	/* 0: done, 1: more, else the error */
	const char	*body;
} parse_cases[] = {
	{ "GET /" H11 "\r\n", 0, 0, "" },
	{ "GET /" H11, 0, 1, NULL },
	{ "GET /", 0, 1, NULL },
	{ "\r\n\r\nGET /" H11 "\r\n", 0, 0, "" },
	{ "GET / HTTP/1.0\r\n\r\n", 0, 0, "" },
	{ "GET / HTTP/1.2\r\nHost: t\r\n\r\n", 0, 0, "" },
	{ "GET http://t/calc?expr=1" H11 "\r\n", 0, 0, "" },
	{ "GET / HTTP/1.1\r\nHost:t\r\nX-Empty:\r\nX:  a b \t\r\n\r\n", 0,
	  0, "" },
	/* line ends and bytes */
	{ "GET / HTTP/1.1\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: y\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "\n", 0, 400, NULL },
	{ "\nGET /" H11 "\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: a\0b\r\n\r\n", 35, 400, NULL },
	{ "GET /" H11 "X: a\rb\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: a\x01" "b\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: a\x7f\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: a\r\n b\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X: a\r\n\tb\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X : a\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 ": a\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "no colon\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "X(: a\r\n\r\n", 0, 400, NULL },
	/* request line */
	{ "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET /\tx HTTP/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET /\xff HTTP/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET / HTTX/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET / HTTP/1.10\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET / http/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "GET /\r\n\r\n", 0, 400, NULL },
	{ "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 0, 400, NULL },
	{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\x00\x00\x00\x00"
	  "\x00\x00\x00", 19, 400, NULL },
	{ "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 0, 505, NULL },
	{ "GET / HTTP/0.9\r\n\r\n", 0, 505, NULL },
	{ "GET / HTTP/3.0\r\n\r\n", 0, 505, NULL },
	{ "FOO /" H11 "\r\n", 0, 501, NULL },
	{ "get /" H11 "\r\n", 0, 501, NULL },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0, 501, NULL },
	{ "PUT /" H11 "\r\n", 0, 0, "" },
	/* Host */
	{ "GET / HTTP/1.1\r\n\r\n", 0, 400, NULL },
	{ "GET /" H11 "Host: u\r\n\r\n", 0, 400, NULL },
	{ "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 0, 400, NULL },
	/* Content-Length */
	{ "POST /" H11 "Content-Length: 5\r\n\r\nhello", 0, 0, "hello" },
	{ "POST /" H11 "Content-Length: 5\r\n\r\nhel", 0, 1, NULL },
	{ "POST /" H11 "Content-Length: 0\r\n\r\n", 0, 0, "" },
	{ "POST /" H11 "Content-Length: 005\r\n\r\nhello", 0, 0, "hello" },
	{ "POST /" H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
	  0, 0, "hello" },
	{ "POST /" H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
	  0, 400, NULL },
	{ "POST /" H11 "Content-Length: -1\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: +5\r\n\r\nhello", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: 5, 5\r\n\r\nhello", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: 0x5\r\n\r\nhello", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: 5 5\r\n\r\nhello", 0, 400, NULL },
	{ "POST /" H11 "Content-Length:\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: 65537\r\n\r\n", 0, 413, NULL },
	{ "POST /" H11 "Content-Length: 184467440737095516160\r\n\r\n", 0,
	  413, NULL },
	/* Transfer-Encoding */
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\n\r\n", 0, 0,
	  "hello world" },
	{ "POST /" H11 "Transfer-Encoding: Chunked\r\n\r\n"
	  "A \r\n0123456789\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", 0, 0,
	  "0123456789" },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, 1,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n0\r\n", 0, 1,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
	  "\r\n", 0, 400, NULL },
	{ "POST /" H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n", 0, 400, NULL },
	/* RFC 9112 6.3: chunked not last is a 400; 6.1: unknown, a 501 */
	{ "POST /" H11 "Transfer-Encoding: gzip\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked, gzip\r\n\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: "
	  "gzip\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 0, 501,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: identity\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked, chunked\r\n\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 0, 400, NULL },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\nz\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\rX", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n5;a\x01\r\n", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n-5\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "ffffffffffffffffffffffff\r\n", 0, 413, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n10001\r\n", 0, 413,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "0\r\nbad trailer\r\n\r\n", 0, 400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n",
	  0, 400, NULL },
	/* chunk extensions, RFC 9112 section 7.1.1: BWS, then ';' */
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n3 junk\r\n", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n3;\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n3;a=\r\n", 0, 400,
	  NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n3;a=\"b\r\n", 0,
	  400, NULL },
	{ "POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"
	  "5 ; a = \"b\\\"c\" ;d\t\r\nhello\r\n0\r\n\r\n", 0, 0, "hello" },
};

/* Check the parser's verdict on case i of parse_cases. */
static void
parse_check(size_t i, enum http_parse rc, const struct http_parser *p)
{
	int	 want = parse_cases[i].status;

	if (want == 0) {
		ck_assert_msg(rc == HTTP_PARSE_DONE, "case %zu: %d %d", i, rc,
		    p->status);
		ck_assert_uint_eq(p->req.bodylen, strlen(parse_cases[i].body));
		ck_assert_msg(p->req.bodylen == 0 || memcmp(p->req.body,
		    parse_cases[i].body, p->req.bodylen) == 0,
		    "case %zu: body", i);
	} else if (want == 1)
		ck_assert_msg(rc == HTTP_PARSE_MORE, "case %zu: %d %d", i, rc,
		    p->status);
	else
		ck_assert_msg(rc == HTTP_PARSE_ERROR && p->status == want,
		    "case %zu: %d %d, want %d", i, rc, p->status, want);
}

/* Each case whole, in one call. */
START_TEST(test_parse_whole)
{
	struct http_conf	 hc;
	struct http_parser	 p;
	char			 buf[1024];
	size_t			 i = _i, len;

	test_conf(&hc);
	http_parser_init(&p);
	len = parse_cases[i].len ? parse_cases[i].len :
	    strlen(parse_cases[i].req);
	memcpy(buf, parse_cases[i].req, len);
	parse_check(i, http_parse(&p, buf, &len, &hc), &p);
	http_parser_free(&p);
}
END_TEST

/* Each case one byte at a time: the same verdict, needs-more before. */
START_TEST(test_parse_bytewise)
{
	struct http_conf	 hc;
	struct http_parser	 p;
	char			 buf[1024];
	size_t			 i = _i, n, len, total;
	enum http_parse		 rc = HTTP_PARSE_MORE;

	test_conf(&hc);
	http_parser_init(&p);
	total = parse_cases[i].len ? parse_cases[i].len :
	    strlen(parse_cases[i].req);
	for (n = 0, len = 0; n < total; n++) {
		buf[len++] = parse_cases[i].req[n];
		rc = http_parse(&p, buf, &len, &hc);
		if (rc != HTTP_PARSE_MORE)
			break;
	}
	parse_check(i, rc, &p);
	http_parser_free(&p);
}
END_TEST

/* The head's pieces: method, target, headers in order. */
START_TEST(test_parse_fields)
{
	static const char	 req[] = "POST /calc?expr=1 HTTP/1.1\r\n"
	    "Host: example\r\nX-A:  one  \r\nx-a: two\r\n"
	    "Content-Length: 3\r\n\r\nabcGET";
	struct http_conf	 hc;
	struct http_parser	 p;
	char			 buf[256];
	size_t			 len = sizeof(req) - 1;

	test_conf(&hc);
	memcpy(buf, req, len);
	http_parser_init(&p);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_DONE);
	ck_assert_int_eq(p.req.method, HTTP_POST);
	ck_assert_int_eq(p.req.minor, 1);
	ck_assert_uint_eq(p.req.target.len, 12);
	ck_assert(memcmp(buf + p.req.target.off, "/calc?expr=1", 12) == 0);
	ck_assert_uint_eq(p.req.nhdr, 4);
	ck_assert(memcmp(buf + p.req.hdr[1].value.off, "one", 3) == 0);
	ck_assert_uint_eq(p.req.hdr[1].value.len, 3);
	ck_assert(memcmp(buf + p.req.hdr[2].name.off, "x-a", 3) == 0);
	ck_assert(memcmp(buf + p.req.hdr[2].value.off, "two", 3) == 0);
	ck_assert_uint_eq(p.req.bodylen, 3);
	/* the body left the buffer: the next request follows the head */
	ck_assert_uint_eq(p.pos, p.req.head_len);
	ck_assert_uint_eq(len, p.pos + 3);
	ck_assert(memcmp(buf + p.pos, "GET", 3) == 0);
	http_parser_free(&p);
}
END_TEST

/* Limits of the head, at their edges. */
START_TEST(test_parse_limits)
{
	struct http_conf	 hc;
	struct http_parser	 p;
	char			*buf;
	size_t			 len, cap = 1 << 20, i;

	test_conf(&hc);
	hc.max_uri = 100;
	hc.max_header_size = 1000;
	hc.max_headers = 5;
	buf = malloc(cap);
	http_parser_init(&p);

	/* a target of max_uri is fine; one more, and it is 414 at once */
	len = snprintf(buf, cap, "GET /%099d HTTP/1.1\r\nHost: t\r\n\r\n", 0);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_DONE);
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET /%0100d", 0);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 414);

	/* five header lines pass, six do not */
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n");
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_DONE);
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n");
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 431);

	/* a head of 1000 bytes passes, 1001 do not, complete or not */
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: t\r\nX: %0*d\r\n\r\n",
	    1000 - 32, 0);
	ck_assert_uint_eq(len, 1000);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_DONE);
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: t\r\nX: %0*d\r\n\r\n",
	    1001 - 32, 0);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 431);
	http_parser_reset(&p);
	len = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: t\r\nX: %0*d",
	    1001 - 28, 0);
	ck_assert_uint_eq(len, 1001);
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 431);

	/* a body of max_body passes, one more byte does not */
	hc.max_body = 10;
	http_parser_reset(&p);
	len = snprintf(buf, cap, "POST / HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n12345\r\n"
	    "0\r\n\r\n");
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_DONE);
	http_parser_reset(&p);
	len = snprintf(buf, cap, "POST / HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n6\r\n");
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 413);

	/* a chunk-size line is bounded even without its end */
	http_parser_reset(&p);
	len = snprintf(buf, cap, "POST / HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;");
	for (i = 0; i < HTTP_CHUNK_LINE_MAX; i++)
		buf[len++] = 'x';
	ck_assert_int_eq(http_parse(&p, buf, &len, &hc), HTTP_PARSE_ERROR);
	ck_assert_int_eq(p.status, 400);
	http_parser_free(&p);
	free(buf);
}
END_TEST

/* ---- http_serve() over a socketpair ---- */

/* The test's side of the hooks. */
struct test_hooks {
	int	 busy_on;
	int	 busy_off;
	int	 last;
	int	 metrics_fail;
};

static void
test_busy(void *arg, enum proto_state st)
{
	struct test_hooks	*th = arg;
	int			 busy = st == PROTO_WORK;

	if (busy)
		th->busy_on++;
	else
		th->busy_off++;
	th->last = busy;
}

static int
test_metrics(void *arg, char *buf, size_t len)
{
	struct test_hooks	*th = arg;

	if (th->metrics_fail || len < sizeof(TEST_METRICS))
		return -1;
	memcpy(buf, TEST_METRICS, sizeof(TEST_METRICS) - 1);
	return sizeof(TEST_METRICS) - 1;
}

/* How the client sends its request. */
struct client {
	int		 fd;
	const char	*req;
	size_t		 reqlen;
	size_t		 cut;		/* first piece ends here (0: whole) */
	size_t		 step;		/* then pieces of this size (0: rest) */
	int		 pause_ms;	/* before each piece after the first */
	int		 keep_open;	/* no shutdown after sending */
	int		 stop_early;	/* stop sending once answered */
	uint64_t	 start;
	int64_t		 first_ms;	/* first answer byte, -1: none */
	char		*resp;
	size_t		 resplen;
	size_t		 respcap;
};

struct answer {
	int		 status;
	const char	*head;
	size_t		 headlen;
	const char	*body;
	size_t		 bodylen;
};

struct result {
	struct client	 cl;
	enum http_end	 end;
	struct proto_stats stats;
	int		 refuse;	/* http_refuse(), not serve */
	struct test_hooks hooks;
	int64_t		 serve_ms;
	struct answer	 a[MAX_ANSWERS];
	int		 n;
};

/* Whether the answer has come: wait up to ms for it. */
static int
client_readable(int fd, int ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/* Pause before the next piece; 1 when the client should stop sending. */
static int
client_pause(const struct client *cl)
{
	if (cl->stop_early)
		return client_readable(cl->fd, cl->pause_ms);
	poll(NULL, 0, cl->pause_ms);
	return 0;
}

static void
client_send(struct client *cl)
{
	size_t	 off = 0, n;
	ssize_t	 w;

	while (off < cl->reqlen) {
		if (off == 0 && cl->cut > 0)
			n = cl->cut;
		else if (cl->step > 0)
			n = cl->step;
		else
			n = cl->reqlen - off;
		if (n > cl->reqlen - off)
			n = cl->reqlen - off;
		if (off > 0 && cl->pause_ms > 0 && client_pause(cl))
			break;
		if ((w = send(cl->fd, cl->req + off, n, MSG_NOSIGNAL)) <= 0)
			break;
		off += w;
	}
	if (!cl->keep_open)
		shutdown(cl->fd, SHUT_WR);
}

static void *
client_main(void *arg)
{
	struct client	*cl = arg;
	ssize_t		 n;

	cl->start = util_now_ms();
	cl->first_ms = -1;
	client_send(cl);
	for (;;) {
		if (cl->resplen + 4096 > cl->respcap) {
			cl->respcap = cl->respcap * 2 + 65536;
			cl->resp = realloc(cl->resp, cl->respcap);
		}
		if (!client_readable(cl->fd, CLIENT_WAIT_MS))
			break;
		n = recv(cl->fd, cl->resp + cl->resplen,
		    cl->respcap - cl->resplen - 1, 0);
		if (n <= 0)
			break;
		if (cl->first_ms < 0)
			cl->first_ms = util_now_ms() - cl->start;
		cl->resplen += n;
	}
	cl->resp[cl->resplen] = '\0';
	close(cl->fd);
	return NULL;
}

/* The value of header name in an answer's head, or NULL; in buf. */
static const char *
header(const struct answer *a, const char *name, char *buf, size_t len)
{
	const char	*p = a->head, *end = a->head + a->headlen, *eol;
	size_t		 nlen = strlen(name);

	while (p < end && (eol = memchr(p, '\n', end - p)) != NULL) {
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			p += nlen + 1;
			while (*p == ' ')
				p++;
			snprintf(buf, len, "%.*s", (int)(eol - p - 1), p);
			return buf;
		}
		p = eol + 1;
	}
	return NULL;
}

/*
 * Split the raw answer into answers; bit i of head_mask marks the i-th
 * request as a HEAD, whose answer has no body.
 */
static void
split_answers(struct result *res, unsigned head_mask)
{
	const char	*p = res->cl.resp, *end = p + res->cl.resplen, *eoh;
	struct answer	*a;
	char		 v[64];

	res->n = 0;
	while (p < end && res->n < MAX_ANSWERS) {
		ck_assert_msg(strncmp(p, "HTTP/1.1 ", 9) == 0, "bad answer: %s",
		    p);
		ck_assert_msg((eoh = strstr(p, "\r\n\r\n")) != NULL,
		    "no end of head: %s", p);
		a = &res->a[res->n];
		a->status = atoi(p + 9);
		a->head = p;
		a->headlen = eoh + 2 - p;
		a->body = eoh + 4;
		a->bodylen = 0;
		if (a->status >= 200 && !(head_mask & (1u << res->n))) {
			ck_assert(header(a, "Content-Length", v, sizeof(v)));
			a->bodylen = strtoul(v, NULL, 10);
		}
		ck_assert(a->body + a->bodylen <= end);
		p = a->body + a->bodylen;
		if (a->status >= 200)
			res->n++;
	}
}

/*
 * Run http_serve() with hc on a socketpair whose other end a thread
 * drives as cl says; collect the answers.
 */
static void
serve_client(struct result *res, const struct http_conf *hc,
    unsigned head_mask)
{
	struct http_hooks	 hooks = { test_busy, NULL, test_metrics, NULL };
	struct stream		 st;
	pthread_t		 t;
	uint64_t		 start;
	int			 sv[2];

	hooks.arg = &res->hooks;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
	res->cl.fd = sv[1];
	ck_assert_int_eq(pthread_create(&t, NULL, client_main, &res->cl), 0);
	stream_init(&st, sv[0]);
	/*
	 * Serve once the client's first bytes (or its end) are there, as a
	 * worker serves an accepted connection: a client thread that starts
	 * late on a loaded machine must not look like an idle connection.
	 */
	if (!res->refuse)
		ck_assert_msg(client_readable(sv[0], CLIENT_WAIT_MS),
		    "the test client sent nothing in %d ms", CLIENT_WAIT_MS);
	start = util_now_ms();
	if (res->refuse)
		http_refuse(st.fd, "too many connections from your address");
	else
		res->end = http_serve(&st, hc, &hooks, &res->stats);
	res->serve_ms = util_now_ms() - start;
	stream_close(&st);
	pthread_join(t, NULL);
	ck_assert_int_eq(res->hooks.last, 0);
	if (!res->refuse)
		ck_assert_int_ge(res->hooks.busy_on, 1);
	split_answers(res, head_mask);
}

/* Send req[0..len) at once with hc, and shut down our side. */
static void
serve_bytes(struct result *res, const struct http_conf *hc, const char *req,
    size_t len, unsigned head_mask)
{
	memset(res, 0, sizeof(*res));
	res->cl.req = req;
	res->cl.reqlen = len;
	serve_client(res, hc, head_mask);
}

static void
serve(struct result *res, const char *req)
{
	struct http_conf	 hc;

	test_conf(&hc);
	serve_bytes(res, &hc, req, strlen(req), 0);
}

static void
result_free(struct result *res)
{
	free(res->cl.resp);
}

/* Whether the body of answer a contains s. */
static int
body_has(const struct answer *a, const char *s)
{
	return memmem(a->body, a->bodylen, s, strlen(s)) != NULL;
}

static void
assert_body(const struct answer *a, const char *s)
{
	ck_assert_msg(a->bodylen == strlen(s) &&
	    memcmp(a->body, s, a->bodylen) == 0, "body %.*s, want %s",
	    (int)a->bodylen, a->body, s);
}

static void
assert_header(const struct answer *a, const char *name, const char *value)
{
	char	 v[512];

	ck_assert_msg(header(a, name, v, sizeof(v)) != NULL, "no %s", name);
	ck_assert_str_eq(v, value);
}

/* One request, one answer of this status. */
static void
serve_one(struct result *res, const char *req, int status)
{
	serve(res, req);
	ck_assert_int_eq(res->n, 1);
	ck_assert_int_eq(res->a[0].status, status);
}

/* The headers every answer has. */
START_TEST(test_serve_common)
{
	struct result	 res;
	char		 v[128];

	serve_one(&res, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	assert_body(&res.a[0], "ok\n");
	assert_header(&res.a[0], "Server", "calcd");
	assert_header(&res.a[0], "Content-Type", "text/plain; charset=utf-8");
	assert_header(&res.a[0], "Content-Length", "3");
	assert_header(&res.a[0], "X-Content-Type-Options", "nosniff");
	ck_assert(header(&res.a[0], "Date", v, sizeof(v)) != NULL);
	ck_assert_uint_eq(strlen(v), HTTP_DATE_LEN);
	ck_assert(strcmp(v + HTTP_DATE_LEN - 4, " GMT") == 0);
	ck_assert(header(&res.a[0], "Connection", v, sizeof(v)) == NULL);
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	ck_assert_uint_eq(res.stats.requests, 1);
	ck_assert_uint_eq(res.stats.errors, 0);
	result_free(&res);
}
END_TEST

START_TEST(test_serve_page)
{
	struct result	 res;

	serve_one(&res, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	assert_header(&res.a[0], "Content-Type", "text/html; charset=utf-8");
	assert_header(&res.a[0], "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'");
	assert_header(&res.a[0], "Referrer-Policy", "no-referrer");
	assert_header(&res.a[0], "Cache-Control", "no-store");
	ck_assert(body_has(&res.a[0], "<!DOCTYPE html>"));
	ck_assert(body_has(&res.a[0], "<meta charset=\"utf-8\">"));
	ck_assert(body_has(&res.a[0], "<form method=\"get\" action=\"/\">"));
	ck_assert(body_has(&res.a[0], "name=\"expr\""));
	ck_assert(body_has(&res.a[0], "<button type=\"submit\""));
	ck_assert(!body_has(&res.a[0], "id=\"result\""));
	ck_assert(!body_has(&res.a[0], "<script"));
	ck_assert(!body_has(&res.a[0], "style="));
	ck_assert(body_has(&res.a[0], "<td>Host</td><td>t</td>"));
	result_free(&res);
}
END_TEST

START_TEST(test_serve_page_expr)
{
	struct result	 res;

	serve_one(&res, "GET /?expr=6*7 HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "id=\"result\" class=\"ok\""));
	ck_assert(body_has(&res.a[0], "<span class=\"answer\">42</span>"));
	ck_assert(body_has(&res.a[0], "value=\"6*7\""));
	result_free(&res);

	serve_one(&res, "GET /?expr=1%2F0 HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "id=\"result\" class=\"error\""));
	ck_assert(body_has(&res.a[0], "error: division by zero"));
	result_free(&res);

	/* what the form submits: + for spaces, the rest percent-encoded */
	serve_one(&res, "GET /?expr=%22%3E%3Cscript%3E+1 HTTP/1.1\r\n"
	    "Host: t\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "value=\"&quot;&gt;&lt;script&gt; 1\""));
	ck_assert(!body_has(&res.a[0], "<script"));
	result_free(&res);
	/* a '+' typed in the address: the error says it became a space */
	serve_one(&res, "GET /?expr=1+1 HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "<span class=\"expr\">1 1</span>"));
	ck_assert(body_has(&res.a[0], "write <code>%2B</code> for a plus"));
	result_free(&res);
	serve_one(&res, "GET /?expr=1%2B1 HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	ck_assert(!body_has(&res.a[0], "%2B</code>"));
	result_free(&res);
}
END_TEST

START_TEST(test_serve_page_escapes_headers)
{
	struct result	 res;

	serve_one(&res, "GET / HTTP/1.1\r\nHost: t\r\n"
	    "X-Evil: <script>alert(\"x\")</script>&\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "<td>X-Evil</td><td>&lt;script&gt;"
	    "alert(&quot;x&quot;)&lt;/script&gt;&amp;</td>"));
	ck_assert(!body_has(&res.a[0], "<script"));
	result_free(&res);
}
END_TEST

START_TEST(test_serve_style)
{
	struct result	 res;

	serve_one(&res, "GET /style.css HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	assert_header(&res.a[0], "Content-Type", "text/css; charset=utf-8");
	ck_assert(body_has(&res.a[0], "#result"));
	result_free(&res);
}
END_TEST

static const struct calc_case {
	const char	*target;
	int		 status;
	const char	*body;
} calc_cases[] = {
	{ "/calc?expr=6*7", 200, "42\n" },
	{ "/calc?expr=6%2A7", 200, "42\n" },
	{ "/calc?expr=2%5E64", 200, "18446744073709551616\n" },
	{ "/calc?expr=2^64", 200, "18446744073709551616\n" },
	{ "/calc?expr=0.1%2B0.2", 200, "0.3\n" },
	{ "/calc?expr=1+%2B+1", 200, "2\n" },
	{ "/calc?a=b&expr=7/2&c", 200, "3.5\n" },
	{ "http://t/calc?expr=1", 200, "1\n" },
	{ "/calc?expr=1/0", 422, "error: division by zero\n" },
	{ "/calc?expr=foo(1)", 422, "error: unknown function 'foo'\n" },
	/* '+' is a space, as forms send it; an error shows what came */
	{ "/calc?expr=1+1", 422, "error: syntax error at column 3: "
	  "unexpected '1'\nreceived: \"1 1\" ('+' in a query is a space; "
	  "write %2B for a plus)\n" },
	{ "/calc?expr=2+%01", 422, "error: syntax error at column 3: "
	  "unexpected character '\\x01'\nreceived: \"2 ?\" ('+' in a query is a "
	  "space; write %2B for a plus)\n" },
	{ "/calc?expr=1%20%2B%201", 200, "2\n" },
	{ "/calc", 400, NULL },
	{ "/calc?", 400, NULL },
	{ "/calc?x=1", 400, NULL },
	{ "/calc?expr=", 400, NULL },
	{ "/calc?expr=%zz", 400, NULL },
};

/* RFC 9112 section 3.2: a Host value that is not uri-host [":" port]. */
static const struct host_case {
	const char	*value;
	int		 valid;
} host_cases[] = {
	{ "example.org", 1 }, { "example.org:54380", 1 }, { "127.0.0.1", 1 },
	{ "[::1]:80", 1 }, { "[2001:db8::1]", 1 }, { "", 1 },
	{ "a%41b", 1 }, { "xn--bcher-kva.example", 1 }, { "a:", 1 },
	{ "a b", 0 }, { "user@host", 0 }, { "a/b", 0 }, { "a:b", 0 },
	{ "a:80:80", 0 }, { "[::1", 0 }, { "[]", 0 }, { "[::1]x", 0 },
	{ "a%4", 0 }, { "a%zz", 0 }, { "a\"b", 0 }, { "a?b", 0 },
	{ "a#b", 0 },
};

START_TEST(test_host_valid)
{
	const struct host_case	*t = &host_cases[_i];

	ck_assert_msg(http_host_valid(t->value, strlen(t->value)) == t->valid,
	    "Host: %s", t->value);
}
END_TEST

START_TEST(test_serve_calc)
{
	const struct calc_case	*t = &calc_cases[_i];
	struct result		 res;
	char			 req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
	    t->target);
	serve_one(&res, req, t->status);
	assert_header(&res.a[0], "Content-Type", "text/plain; charset=utf-8");
	if (t->body != NULL)
		assert_body(&res.a[0], t->body);
	else
		ck_assert(body_has(&res.a[0], "400 Bad Request\n"));
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
}
END_TEST

static const struct calc_json_case {
	const char	*target;
	const char	*accept;
	int		 status;
	const char	*body;
} calc_json_cases[] = {
	{ "/calc?expr=6*7", "application/json", 200,
	  "{\"expr\": \"6*7\", \"result\": \"42\"}\n" },
	{ "/calc?expr=1/0", "text/html, application/json", 422,
	  "{\"expr\": \"1/0\", \"error\": \"division by zero\"}\n" },
		{ "/calc?expr=6*7", "application/json;q=0", 200, "42\n" },
	{ "/calc?expr=6*7", "text/plain, application/json;q=0.5", 200,
	  "42\n" },
};

START_TEST(test_serve_calc_json)
{
	const struct calc_json_case	*t = &calc_json_cases[_i];
	struct result			 res;
	char				 req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n"
	    "Accept: %s\r\n\r\n", t->target, t->accept);
	serve_one(&res, req, t->status);
	assert_body(&res.a[0], t->body);
	result_free(&res);
}
END_TEST

/* Bytes JSON must escape, in the expression and the message. */
START_TEST(test_serve_calc_json_escape)
{
	struct result	 res;

	serve_one(&res, "GET /calc?expr=%22%5C%01 HTTP/1.1\r\nHost: t\r\n"
	    "Accept: application/json\r\n\r\n", 422);
	assert_header(&res.a[0], "Content-Type", "application/json");
	ck_assert(body_has(&res.a[0], "{\"expr\": \"\\\"\\\\\\u0001\", "
	    "\"error\": \"syntax error"));
	result_free(&res);
}
END_TEST

START_TEST(test_serve_post_calc)
{
	static const char	 body[] = "x = 3\n\nx*2\r\n  \n1/0\nans+1";
	struct result		 res;
	char			 req[512];

	snprintf(req, sizeof(req), "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: %zu\r\n\r\n%s", sizeof(body) - 1, body);
	serve_one(&res, req, 200);
	assert_body(&res.a[0], "3\n6\nerror: division by zero\n7\n");
	result_free(&res);

	snprintf(req, sizeof(req), "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Accept: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    sizeof(body) - 1, body);
	serve_one(&res, req, 200);
	assert_header(&res.a[0], "Content-Type", "application/json");
	assert_body(&res.a[0], "{\"results\": ["
	    "{\"expr\": \"x = 3\", \"result\": \"3\"}, "
	    "{\"expr\": \"x*2\", \"result\": \"6\"}, "
	    "{\"expr\": \"1/0\", \"error\": \"division by zero\"}, "
	    "{\"expr\": \"ans+1\", \"result\": \"7\"}]}\n");
	result_free(&res);

	/* an empty body, and no body at all */
	serve_one(&res, "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Accept: application/json\r\nContent-Length: 0\r\n\r\n", 200);
	assert_body(&res.a[0], "{\"results\": []}\n");
	result_free(&res);
	serve_one(&res, "POST /calc HTTP/1.1\r\nHost: t\r\n\r\n", 200);
	assert_body(&res.a[0], "");
	result_free(&res);
}
END_TEST

/* A form's body is read as a form: its expr parameter holds the lines. */
static const struct form_case {
	const char	*type;
	const char	*body;
	int		 status;
	const char	*answer;	/* NULL: an error page */
} form_cases[] = {
	{ "application/x-www-form-urlencoded", "expr=1%2B2", 200, "3\n" },
	{ "Application/X-WWW-Form-URLEncoded ; charset=utf-8",
	  "a=b&expr=x+%3D+3%0D%0Ax*2", 200, "3\n6\n" },
	{ "application/x-www-form-urlencoded", "expr=1+1", 200,
	  "error: syntax error at column 3: unexpected '1'\n" },
	/* curl --data-binary calls any body a form: without expr, lines */
	{ "application/x-www-form-urlencoded", "x=1\nx+1", 200, "1\n2\n" },
	{ "application/x-www-form-urlencoded", "expr=%zz", 400, NULL },
	{ "text/plain", "expr=1%2B2", 200,
	  "error: syntax error at column 8: invalid number\n" },
};

START_TEST(test_serve_post_form)
{
	const struct form_case	*t = &form_cases[_i];
	struct result		 res;
	char			 req[512];

	snprintf(req, sizeof(req), "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s", t->type,
	    strlen(t->body), t->body);
	serve_one(&res, req, t->status);
	if (t->answer != NULL)
		assert_body(&res.a[0], t->answer);
	else
		ck_assert(body_has(&res.a[0], "400 Bad Request\n"));
	result_free(&res);
}
END_TEST

START_TEST(test_serve_post_chunked)
{
	struct result	 res;

	serve_one(&res, "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "4;ext=1\r\nx = \r\n3\r\n4\nx\r\n2\r\n*2\r\n0\r\nX-T: 1\r\n\r\n",
	    200);
	assert_body(&res.a[0], "4\n8\n");
	result_free(&res);
}
END_TEST

START_TEST(test_serve_headers)
{
	struct result	 res;

	serve_one(&res, "GET /headers HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n"
	    "x-a: \"2\"\r\nX-Empty:\r\n\r\n", 200);
	assert_header(&res.a[0], "Content-Type", "application/json");
	assert_body(&res.a[0], "{\"headers\": ["
	    "{\"name\": \"Host\", \"value\": \"t\"}, "
	    "{\"name\": \"X-A\", \"value\": \"1\"}, "
	    "{\"name\": \"x-a\", \"value\": \"\\\"2\\\"\"}, "
	    "{\"name\": \"X-Empty\", \"value\": \"\"}]}\n");
	result_free(&res);
}
END_TEST

/* A browser's Accept gets a page; JSON stays the answer to the rest. */
static const struct headers_case {
	const char	*accept;
	int		 html;
} headers_cases[] = {
	{ "text/html,application/xhtml+xml,*/*;q=0.8", 1 },
	{ "text/html", 1 },
	{ "*/*", 0 },
	{ "application/json", 0 },
	{ "text/html;q=0.5, application/json", 0 },
	{ "text/html;q=0", 0 },
};

START_TEST(test_serve_headers_html)
{
	const struct headers_case	*t = &headers_cases[_i];
	struct result			 res;
	char				 req[256];

	snprintf(req, sizeof(req), "GET /headers HTTP/1.1\r\nHost: t\r\n"
	    "Accept: %s\r\nX-List: a,b;c\r\n\r\n", t->accept);
	serve_one(&res, req, 200);
	assert_header(&res.a[0], "Vary", "Accept");
	if (t->html) {
		assert_header(&res.a[0], "Content-Type",
		    "text/html; charset=utf-8");
		ck_assert(body_has(&res.a[0], "<td>Host</td><td>t</td>"));
		/* lists may wrap between their items */
		ck_assert(body_has(&res.a[0], "<td>a,<wbr>b;<wbr>c</td>"));
	} else
		assert_header(&res.a[0], "Content-Type", "application/json");
	result_free(&res);
}
END_TEST

/*
 * The page keeps the last calculations of its view in the form (hidden
 * "h" inputs carried in the query), evaluated first in the same session.
 */
START_TEST(test_serve_page_history)
{
	struct result	 res;

	serve_one(&res, "GET /?expr=x*2&h=x%3D3&h=1%2F0 HTTP/1.1\r\n"
	    "Host: t\r\n\r\n", 200);
	ck_assert(body_has(&res.a[0], "<span class=\"answer\">6</span>"));
	ck_assert(body_has(&res.a[0], "<li class=\"error\">1/0 = error: "
	    "division by zero</li>\n<li>x=3 = 3</li>\n"));
	ck_assert(body_has(&res.a[0], "<input type=\"hidden\" name=\"h\" "
	    "value=\"x=3\">\n<input type=\"hidden\" name=\"h\" "
	    "value=\"1/0\">\n<input type=\"hidden\" name=\"h\" "
	    "value=\"x*2\">\n<button"));
	result_free(&res);

	/* at most four earlier ones: the oldest drops out */
	serve_one(&res, "GET /?expr=5&h=0&h=1&h=2&h=3&h=4 HTTP/1.1\r\n"
	    "Host: t\r\n\r\n", 200);
	ck_assert(!body_has(&res.a[0], "<li>0 = 0</li>"));
	ck_assert(body_has(&res.a[0], "<li>4 = 4</li>\n<li>3 = 3</li>\n"
	    "<li>2 = 2</li>\n<li>1 = 1</li>\n</ol>"));
	ck_assert(!body_has(&res.a[0], "name=\"h\" value=\"1\""));
	ck_assert(body_has(&res.a[0], "name=\"h\" value=\"2\""));
	ck_assert(body_has(&res.a[0], "name=\"h\" value=\"5\""));
	result_free(&res);

	/* markup in an earlier expression stays text */
	serve_one(&res, "GET /?h=%3Cb%3E HTTP/1.1\r\nHost: t\r\n\r\n",
	    200);
	ck_assert(!body_has(&res.a[0], "<b>"));
	ck_assert(body_has(&res.a[0], "value=\"&lt;b&gt;\""));
	result_free(&res);
}
END_TEST

/* With the client's address known (the worker always knows it), first. */
START_TEST(test_serve_headers_names_the_client)
{
	static const char	 req[] = "GET /headers HTTP/1.1\r\nHost: t\r\n\r\n";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	hc.client = "192.0.2.7:40000";
	serve_bytes(&res, &hc, req, strlen(req), 0);
	ck_assert_int_eq(res.a[0].status, 200);
	assert_body(&res.a[0], "{\"client\": \"192.0.2.7:40000\", "
	    "\"headers\": [{\"name\": \"Host\", \"value\": \"t\"}]}\n");
	result_free(&res);
}
END_TEST

START_TEST(test_serve_metrics)
{
	struct http_conf	 hc;
	struct result		 res;
	static const char	 req[] =
	    "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";

	serve_one(&res, req, 200);
	assert_header(&res.a[0], "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	assert_body(&res.a[0], TEST_METRICS);
	result_free(&res);

	test_conf(&hc);
	hc.metrics_allowed = 0;
	serve_bytes(&res, &hc, req, sizeof(req) - 1, 0);
	ck_assert_int_eq(res.a[0].status, 403);
	ck_assert(body_has(&res.a[0], "403 Forbidden\n"));
	result_free(&res);

	test_conf(&hc);
	memset(&res, 0, sizeof(res));
	res.hooks.metrics_fail = 1;
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.a[0].status, 500);
	ck_assert(body_has(&res.a[0], "500 Internal Server Error\n"));
	result_free(&res);
}
END_TEST

/* 404 and 405 keep the connection: a second request is answered. */
static const struct method_case {
	const char	*req;
	int		 status;
	const char	*allow;
} method_cases[] = {
	{ "GET /nope", 404, NULL },
	{ "GET /calc/", 404, NULL },
	{ "GET //calc", 404, NULL },
	{ "POST /", 405, "GET, HEAD" },
	{ "POST /headers", 405, "GET, HEAD" },
	{ "POST /healthz", 405, "GET, HEAD" },
	{ "PUT /calc", 405, "GET, HEAD, POST" },
	{ "DELETE /", 405, "GET, HEAD" },
	{ "OPTIONS /calc", 405, "GET, HEAD, POST" },
	{ "OPTIONS *", 405, "GET, HEAD, POST" },
	{ "PATCH /calc", 405, "GET, HEAD, POST" },
	{ "TRACE /", 405, "GET, HEAD" },
	{ "CONNECT t:443", 405, "GET, HEAD, POST" },
};

START_TEST(test_serve_404_405)
{
	const struct method_case	*t = &method_cases[_i];
	struct result			 res;
	char				 req[256];

	snprintf(req, sizeof(req), "%s HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 2\r\n\r\nxx"
	    "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", t->req);
	serve(&res, req);
	ck_assert_int_eq(res.n, 2);
	ck_assert_msg(res.a[0].status == t->status, "%s: %d", t->req,
	    res.a[0].status);
	if (t->allow != NULL)
		assert_header(&res.a[0], "Allow", t->allow);
	ck_assert_int_eq(res.a[1].status, 200);
	ck_assert_uint_eq(res.stats.requests, 2);
	ck_assert_uint_eq(res.stats.errors, 1);
	result_free(&res);
}
END_TEST

/*
 * Requests the parser refuses: the status, a text body naming it,
 * Connection: close, and nothing more is read.
 */
static const struct refused_case {
	const char	*req;
	size_t		 len;
	int		 status;
	const char	*body;
} refused_cases[] = {
	{ "GET / HTTP/1.1\nHost: t\r\n\r\n", 0, 400,
	  "400 Bad Request\n" },
	{ "GET / HTTP/1.1\r\nHost: t\r\nX: a\0b\r\n\r\n", 35, 400,
	  "400 Bad Request\n" },
	{ "GET / HTTP/1.1\r\n\r\n", 0, 400, "400 Bad Request\n" },
	{ "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 0, 400,
	  "400 Bad Request\n" },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 400,
	  "400 Bad Request\n" },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n"
	  "\r\n", 0, 400, "400 Bad Request\n" },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\n"
	  "Content-Length: 99999999999999999999999\r\n\r\n", 0, 413,
	  "413 Content Too Large\n" },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000"
	  "\r\n\r\n1+1\n", 0, 413, "413 Content Too Large\n" },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\n"
	  "Transfer-Encoding: gzip, chunked\r\n\r\n", 0, 501,
	  "501 Not Implemented\n" },
	{ "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", 0, 501,
	  "501 Not Implemented\n" },
	{ "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 0, 505,
	  "505 HTTP Version Not Supported\n" },
	{ "HEAD / HTTP/1.1\r\n\r\n", 0, 400, NULL },
};

START_TEST(test_serve_refused)
{
	const struct refused_case	*t = &refused_cases[_i];
	struct http_conf		 hc;
	struct result			 res;
	size_t				 len;
	char				 buf[512];

	/* a valid request follows, and must not be answered */
	test_conf(&hc);
	len = t->len ? t->len : strlen(t->req);
	memcpy(buf, t->req, len);
	memcpy(buf + len, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 28);
	serve_bytes(&res, &hc, buf, len + 28, t->body == NULL ? 1 : 0);
	ck_assert_msg(res.n == 1, "%d answers", res.n);
	ck_assert_int_eq(res.a[0].status, t->status);
	assert_header(&res.a[0], "Connection", "close");
	assert_header(&res.a[0], "Content-Type", "text/plain; charset=utf-8");
	if (t->body != NULL)
		ck_assert(memcmp(res.a[0].body, t->body,
		    strlen(t->body)) == 0);
	else
		ck_assert_uint_eq(res.a[0].bodylen, 0);
	ck_assert_int_eq(res.end, HTTP_END_BAD);
	ck_assert_uint_eq(res.stats.errors, 1);
	result_free(&res);
}
END_TEST

/* A chunked body past max_body is a 413 while it arrives. */
START_TEST(test_serve_chunked_too_large)
{
	struct http_conf	 hc;
	struct result		 res;
	char			*req;
	size_t			 len, i;

	test_conf(&hc);
	hc.max_body = 1000;
	req = malloc(65536);
	len = snprintf(req, 65536, "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 30; i++)
		len += snprintf(req + len, 65536 - len, "40\r\n%064d\r\n", 0);
	len += snprintf(req + len, 65536 - len, "0\r\n\r\n");
	serve_bytes(&res, &hc, req, len, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 413);
	ck_assert_int_eq(res.end, HTTP_END_BAD);
	result_free(&res);
	free(req);
}
END_TEST

/* 414 for a 100 kB target, and already before its line is complete. */
START_TEST(test_serve_414)
{
	struct http_conf	 hc;
	struct result		 res;
	char			*req;
	size_t			 len = 100 * 1024;

	test_conf(&hc);
	req = malloc(len + 64);
	memcpy(req, "GET /calc?expr=", 15);
	memset(req + 15, '1', len - 15);
	memcpy(req + len, " HTTP/1.1\r\nHost: t\r\n\r\n", 22);
	serve_bytes(&res, &hc, req, len + 22, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 414);
	ck_assert(body_has(&res.a[0], "414 URI Too Long\n"));
	result_free(&res);

	/* the line never ends: 414 all the same, the client still there */
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = HTTP_DEFAULT_MAX_URI + 100;
	res.cl.keep_open = 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 414);
	ck_assert_int_eq(res.end, HTTP_END_BAD);
	result_free(&res);
	free(req);
}
END_TEST

/* 431 for 200 header lines, and for a head past max_header_size. */
START_TEST(test_serve_431)
{
	struct http_conf	 hc;
	struct result		 res;
	char			*req;
	size_t			 len, i;

	test_conf(&hc);
	req = malloc(65536);
	len = snprintf(req, 65536, "GET / HTTP/1.1\r\nHost: t\r\n");
	for (i = 0; i < 200; i++)
		len += snprintf(req + len, 65536 - len, "X-%zu: %zu\r\n", i, i);
	len += snprintf(req + len, 65536 - len, "\r\n");
	serve_bytes(&res, &hc, req, len, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 431);
	ck_assert(body_has(&res.a[0],
	    "431 Request Header Fields Too Large\n"));
	result_free(&res);

	len = snprintf(req, 65536, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(req + len, 'b', 20000);
	len += 20000;
	len += snprintf(req + len, 65536 - len, "\r\n\r\n");
	serve_bytes(&res, &hc, req, len, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 431);
	result_free(&res);
	free(req);
}
END_TEST

/* Three requests in one write: three answers, in order. */
START_TEST(test_serve_pipelining)
{
	struct result	 res;

	serve(&res, "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "POST /calc HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n2\n3\n"
	    "GET /calc?expr=4 HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert_int_eq(res.n, 3);
	assert_body(&res.a[0], "1\n");
	assert_body(&res.a[1], "2\n3\n");
	assert_body(&res.a[2], "4\n");
	ck_assert_uint_eq(res.stats.requests, 3);
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
}
END_TEST

/* Keep-alive: a second request after a pause, then the idle timeout. */
START_TEST(test_serve_keepalive)
{
	static const char	 req[] =
	    "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "GET /calc?expr=2 HTTP/1.1\r\nHost: t\r\n\r\n";
	struct http_conf	 hc;
	struct result		 res;
	char			 v[64];

	test_conf(&hc);
	hc.keepalive_timeout_ms = 2000;	/* well past the client's pause */
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	res.cl.cut = (sizeof(req) - 1) / 2;
	res.cl.pause_ms = 100;
	res.cl.keep_open = 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 2);
	assert_body(&res.a[0], "1\n");
	assert_body(&res.a[1], "2\n");
	ck_assert(header(&res.a[0], "Connection", v, sizeof(v)) == NULL);
	ck_assert(header(&res.a[1], "Connection", v, sizeof(v)) == NULL);
	ck_assert_int_eq(res.end, HTTP_END_IDLE);
	ck_assert_int_ge(res.serve_ms, 100 + 2000 - 20);
	ck_assert_int_lt(res.serve_ms, 100 + 2000 + LATE_MS);
	ck_assert_int_ge(res.hooks.busy_on, 2);
	result_free(&res);
}
END_TEST

START_TEST(test_serve_connection_close)
{
	struct result	 res;

	serve(&res, "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n"
	    "Connection: close\r\n\r\n"
	    "GET /calc?expr=2 HTTP/1.1\r\nHost: t\r\n\r\n");
	ck_assert_int_eq(res.n, 1);
	assert_header(&res.a[0], "Connection", "close");
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
}
END_TEST

/* HTTP/1.0 closes unless it asked for keep-alive. */
START_TEST(test_serve_http10)
{
	struct result	 res;

	serve(&res, "GET /calc?expr=1 HTTP/1.0\r\n\r\n"
	    "GET /calc?expr=2 HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(res.n, 1);
	assert_header(&res.a[0], "Connection", "close");
	ck_assert(strncmp(res.cl.resp, "HTTP/1.1 200 OK\r\n", 17) == 0);
	result_free(&res);

	serve(&res, "GET /calc?expr=1 HTTP/1.0\r\nConnection: keep-alive\r\n"
	    "\r\nGET /calc?expr=2 HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(res.n, 2);
	assert_header(&res.a[0], "Connection", "keep-alive");
	assert_header(&res.a[1], "Connection", "close");
	assert_body(&res.a[1], "2\n");
	result_free(&res);
}
END_TEST

START_TEST(test_serve_max_requests)
{
	static const char	 req[] =
	    "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "GET /calc?expr=2 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "GET /calc?expr=3 HTTP/1.1\r\nHost: t\r\n\r\n";
	struct http_conf	 hc;
	struct result		 res;
	char			 v[64];

	test_conf(&hc);
	hc.max_requests = 2;
	serve_bytes(&res, &hc, req, sizeof(req) - 1, 0);
	ck_assert_int_eq(res.n, 2);
	ck_assert(header(&res.a[0], "Connection", v, sizeof(v)) == NULL);
	assert_header(&res.a[1], "Connection", "close");
	ck_assert_int_eq(res.end, HTTP_END_LIMIT);
	result_free(&res);
}
END_TEST

/* HEAD: the GET's headers, Content-Length too, and no body. */
START_TEST(test_serve_head)
{
	struct result	 res;
	struct http_conf hc;
	static const char req[] =
	    "HEAD /calc?expr=6*7 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "GET /calc?expr=6*7 HTTP/1.1\r\nHost: t\r\n\r\n"
	    "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"
	    "HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n";

	test_conf(&hc);
	serve_bytes(&res, &hc, req, sizeof(req) - 1, 1 | 4 | 8);
	ck_assert_int_eq(res.n, 4);
	assert_header(&res.a[0], "Content-Length", "3");
	assert_header(&res.a[0], "Content-Type", "text/plain; charset=utf-8");
	ck_assert(res.a[1].head == res.a[0].head + res.a[0].headlen + 2);
	assert_body(&res.a[1], "42\n");
	ck_assert_int_eq(res.a[2].status, 200);
	assert_header(&res.a[2], "Content-Type", "text/html; charset=utf-8");
	ck_assert_int_eq(res.a[3].status, 404);
	ck_assert(res.a[3].body == res.cl.resp + res.cl.resplen);
	result_free(&res);
}
END_TEST

/* Expect: 100-continue is answered before the body comes. */
START_TEST(test_serve_continue)
{
	static const char	 req[] = "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n6*7\n";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	res.cl.cut = sizeof(req) - 1 - 4;
	res.cl.pause_ms = 100;
	serve_client(&res, &hc, 0);
	ck_assert(strncmp(res.cl.resp, "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n", 42) == 0);
	ck_assert_int_eq(res.n, 1);
	assert_body(&res.a[0], "42\n");
	ck_assert_uint_eq(res.stats.requests, 1);
	result_free(&res);
}
END_TEST

/* A byte every 100 ms with a 300 ms header timeout: 408 at 300 ms. */
START_TEST(test_serve_slow_head)
{
	static const char	 req[] =
	    "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n\r\n";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	hc.header_timeout_ms = 300;
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	res.cl.step = 1;
	res.cl.pause_ms = 100;
	res.cl.stop_early = 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 408);
	ck_assert(body_has(&res.a[0], "408 Request Timeout\n"));
	assert_header(&res.a[0], "Connection", "close");
	ck_assert_int_eq(res.end, HTTP_END_TIMEOUT);
	ck_assert_int_ge(res.cl.first_ms, 300 - 20);
	ck_assert_int_lt(res.cl.first_ms, 300 + LATE_MS);
	result_free(&res);
}
END_TEST

/*
 * A body trickled in a byte at a time, each byte well within any wait:
 * the body's deadline grows by a second per body_min_rate bytes only, so
 * the trickle ends in a 408 long before the body would.
 */
START_TEST(test_serve_trickled_body)
{
	static const char	 req[] = "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 60\r\n\r\n1+1\n1+1\n1+1\n1+1\n1+1\n1+1\n1+1\n"
	    "1+1\n1+1\n1+1\n1+1\n1+1\n1+1\n1+1\n1+1\n";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	hc.body_timeout_ms = 500;
	hc.body_min_rate = 10;		/* 100 ms per byte */
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	res.cl.cut = sizeof(req) - 1 - 60;
	res.cl.step = 1;
	res.cl.pause_ms = 200;		/* a byte per 200 ms */
	res.cl.stop_early = 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 408);
	ck_assert_int_eq(res.end, HTTP_END_TIMEOUT);
	ck_assert_int_lt(res.cl.first_ms, 60 * 200);
	result_free(&res);
}
END_TEST

/* Chunk extensions count toward max_body: a body of them is a 413. */
START_TEST(test_serve_chunk_extensions_bounded)
{
	struct http_buf		 req = { NULL, 0, 0, 0 };
	struct http_conf	 hc;
	struct result		 res;
	int			 i;

	http_buf_adds(&req, "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 80; i++)	/* 80 KB of extensions, 80 bytes */
		http_buf_addf(&req, "1;x=%01000d\r\n1\r\n", 0);
	http_buf_adds(&req, "0\r\n\r\n");
	ck_assert(!req.failed);
	test_conf(&hc);
	serve_bytes(&res, &hc, req.s, req.len, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 413);
	result_free(&res);
	http_buf_free(&req);
}
END_TEST

/* A body that stops coming: 408 after body_timeout_ms. */
START_TEST(test_serve_slow_body)
{
	static const char	 req[] = "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 10\r\n\r\n1+1";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	hc.body_timeout_ms = 300;
	memset(&res, 0, sizeof(res));
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	res.cl.keep_open = 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 408);
	ck_assert_int_eq(res.end, HTTP_END_TIMEOUT);
	ck_assert_int_ge(res.cl.first_ms, 300 - 20);
	ck_assert_int_lt(res.cl.first_ms, 300 + LATE_MS);
	result_free(&res);
}
END_TEST

/* The client goes away: no answer to a partial request. */
START_TEST(test_serve_eof)
{
	struct result	 res;

	serve(&res, "");
	ck_assert_int_eq(res.n, 0);
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
	serve(&res, "GET /calc?expr=1 HTTP/1.1\r\nHost:");
	ck_assert_int_eq(res.n, 0);
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
	serve(&res, "POST /calc HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 10\r\n\r\n1+1");
	ck_assert_int_eq(res.n, 0);
	ck_assert_int_eq(res.end, HTTP_END_CLOSE);
	result_free(&res);
}
END_TEST

/* Over the fair share: 503 at once. */
START_TEST(test_serve_refuse)
{
	static const char	 req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	struct http_conf	 hc;
	struct result		 res;

	test_conf(&hc);
	memset(&res, 0, sizeof(res));
	res.refuse = 1;
	res.cl.req = req;
	res.cl.reqlen = sizeof(req) - 1;
	serve_client(&res, &hc, 0);
	ck_assert_int_eq(res.n, 1);
	ck_assert_int_eq(res.a[0].status, 503);
	ck_assert(body_has(&res.a[0], "503 Service Unavailable\n"));
	assert_header(&res.a[0], "Connection", "close");
	assert_header(&res.a[0], "Retry-After", "1");
	result_free(&res);
}
END_TEST

/* Every status of the list, each from its cause, through http_serve(). */
static const struct status_case {
	const char	*req;
	int		 status;
} status_cases[] = {
	{ "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 200 },
	{ "GET /calc HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
	{ "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", 404 },
	{ "DELETE /calc HTTP/1.1\r\nHost: t\r\n\r\n", 405 },
	{ "POST /calc HTTP/1.1\r\nHost: t\r\n"
	  "Content-Length: 70000\r\n\r\n", 413 },
	{ "GET /calc?expr=1/0 HTTP/1.1\r\nHost: t\r\n\r\n", 422 },
	{ "FOO / HTTP/1.1\r\nHost: t\r\n\r\n", 501 },
	{ "GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505 },
};

START_TEST(test_serve_every_status)
{
	const struct status_case	*t = &status_cases[_i];
	struct result			 res;
	char				 line[64];

	/* 403, 408, 414, 431, 500 and 503 have tests of their own */
	serve_one(&res, t->req, t->status);
	snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", t->status,
	    http_reason(t->status));
	ck_assert(strncmp(res.a[0].head, line, strlen(line)) == 0);
	result_free(&res);
}
END_TEST

Suite	*make_http_suite(void);

Suite *
make_http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("Helpers");
	tcase_add_loop_test(tc, test_url_decode, 0, (int)NELEM(decode_cases));
	tcase_add_loop_test(tc, test_host_valid, 0, (int)NELEM(host_cases));
	tcase_add_loop_test(tc, test_query_param, 0, (int)NELEM(query_cases));
	tcase_add_loop_test(tc, test_html_escape, 0, (int)NELEM(html_cases));
	tcase_add_test(tc, test_html_escape_nul);
	tcase_add_loop_test(tc, test_json_escape, 0, (int)NELEM(json_cases));
	tcase_add_test(tc, test_json_escape_nul);
	tcase_add_loop_test(tc, test_accept, 0, (int)NELEM(accept_cases));
	tcase_add_loop_test(tc, test_lists, 0, (int)NELEM(list_cases));
	tcase_add_test(tc, test_name_eq);
	tcase_add_test(tc, test_date_reason);
	suite_add_tcase(s, tc);

	tc = tcase_create("Parser");
	tcase_add_loop_test(tc, test_parse_whole, 0, (int)NELEM(parse_cases));
	tcase_add_loop_test(tc, test_parse_bytewise, 0,
	    (int)NELEM(parse_cases));
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_parse_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("Endpoints");
	tcase_add_test(tc, test_serve_common);
	tcase_add_test(tc, test_serve_page);
	tcase_add_test(tc, test_serve_page_expr);
	tcase_add_test(tc, test_serve_page_escapes_headers);
	tcase_add_test(tc, test_serve_style);
	tcase_add_loop_test(tc, test_serve_calc, 0, (int)NELEM(calc_cases));
	tcase_add_loop_test(tc, test_serve_calc_json, 0,
	    (int)NELEM(calc_json_cases));
	tcase_add_test(tc, test_serve_calc_json_escape);
	tcase_add_test(tc, test_serve_post_calc);
	tcase_add_loop_test(tc, test_serve_post_form, 0, (int)NELEM(form_cases));
	tcase_add_test(tc, test_serve_post_chunked);
	tcase_add_test(tc, test_serve_headers);
	tcase_add_loop_test(tc, test_serve_headers_html, 0,
	    (int)NELEM(headers_cases));
	tcase_add_test(tc, test_serve_page_history);
	tcase_add_test(tc, test_serve_headers_names_the_client);
	tcase_add_test(tc, test_serve_metrics);
	tcase_add_loop_test(tc, test_serve_404_405, 0,
	    (int)NELEM(method_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("Connection");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_serve_pipelining);
	tcase_add_test(tc, test_serve_keepalive);
	tcase_add_test(tc, test_serve_connection_close);
	tcase_add_test(tc, test_serve_http10);
	tcase_add_test(tc, test_serve_max_requests);
	tcase_add_test(tc, test_serve_head);
	tcase_add_test(tc, test_serve_continue);
	tcase_add_test(tc, test_serve_eof);
	suite_add_tcase(s, tc);

	tc = tcase_create("Errors");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_serve_refused, 0,
	    (int)NELEM(refused_cases));
	tcase_add_test(tc, test_serve_chunked_too_large);
	tcase_add_test(tc, test_serve_414);
	tcase_add_test(tc, test_serve_431);
	tcase_add_test(tc, test_serve_slow_head);
	tcase_add_test(tc, test_serve_slow_body);
	tcase_add_test(tc, test_serve_trickled_body);
	tcase_add_test(tc, test_serve_chunk_extensions_bounded);
	tcase_add_test(tc, test_serve_refuse);
	tcase_add_loop_test(tc, test_serve_every_status, 0,
	    (int)NELEM(status_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(make_http_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
