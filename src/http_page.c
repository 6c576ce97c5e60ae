/*
 * http_page.c - what the HTTP module writes: a growing output buffer, the
 * HTML and JSON escaping of untrusted bytes, the calculator page and its
 * stylesheet.
 *
 * Every byte that came from the client goes through http_html_escape()
 * or http_json_escape(); invalid UTF-8 becomes U+FFFD, so the page and
 * the JSON are always valid UTF-8 whatever was sent.  The page needs no
 * JavaScript and no inline style, so that its Content-Security-Policy
 * can forbid both.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "json.h"

#define HTTP_BUF_MIN	4096	/* first allocation of a buffer */
#define HTTP_REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

void
http_buf_reset(struct http_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
http_buf_free(struct http_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/*
 * Make room for more bytes and a NUL.  Returns 0, or -1 and marks the
 * buffer failed when memory runs out; later additions are then dropped.
 */
int
http_buf_reserve(struct http_buf *b, size_t more)
{
	size_t	 cap;
	char	*s;

	if (b->failed)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : HTTP_BUF_MIN;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((s = realloc(b->s, cap)) == NULL)
		goto fail;
	b->s = s;
	b->cap = cap;
	return 0;
 fail:
	b->failed = 1;
	return -1;
}

void
http_buf_add(struct http_buf *b, const void *p, size_t len)
{
	if (http_buf_reserve(b, len) == -1)
		return;
	if (len > 0)		/* p may be an empty buffer's NULL */
		memcpy(b->s + b->len, p, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
http_buf_adds(struct http_buf *b, const char *s)
{
	http_buf_add(b, s, strlen(s));
}

/* Append the decimal digits of n. */
void
http_buf_addu(struct http_buf *b, size_t n)
{
	char	 digits[24], *p = digits + sizeof(digits);

	do
		*--p = '0' + n % 10;
	while ((n /= 10) > 0);
	http_buf_add(b, p, digits + sizeof(digits) - p);
}

void
http_buf_addf(struct http_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || http_buf_reserve(b, n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}


/*
 * Append s[0..len) as HTML text or attribute value: the five special
 * characters as entities, control bytes (but tab and newlines) and
 * invalid UTF-8 as U+FFFD.
 */
void
http_html_escape(struct http_buf *b, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		switch (u[i]) {
		case '&':
			http_buf_adds(b, "&amp;");
			continue;
		case '<':
			http_buf_adds(b, "&lt;");
			continue;
		case '>':
			http_buf_adds(b, "&gt;");
			continue;
		case '"':
			http_buf_adds(b, "&quot;");
			continue;
		case '\'':
			http_buf_adds(b, "&#39;");
			continue;
		case '\t':
		case '\n':
		case '\r':
			http_buf_add(b, s + i, 1);
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f ||
		    (n = json_utf8_len(u + i, len - i)) == 0) {
			http_buf_adds(b, HTTP_REPLACEMENT);
			n = 1;
		} else
			http_buf_add(b, s + i, n);
	}
}

/*
 * Append s[0..len) as the inside of a JSON string (RFC 8259), with the
 * encoder of json.h.
 */
void
http_json_escape(struct http_buf *b, const char *s, size_t len)
{
	size_t	 cap;

	if (len > (SIZE_MAX - 1) / JSON_ESCAPE_MAX) {
		b->failed = 1;
		return;
	}
	cap = len * JSON_ESCAPE_MAX + 1;
	if (http_buf_reserve(b, cap) == -1)
		return;
	b->len += json_escape(b->s + b->len, cap, s, len, NULL);
}

/* The stylesheet of the page, served as /style.css. */
const char http_style_css[] =
":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;"
"--card:#fff;--line:#d1d9e0;--accent:#0969da;--error:#cf222e}\n"
"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;"
"--bg:#0d1117;--card:#151b23;--line:#3d444d;--accent:#4493f8;"
"--error:#f85149}}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:var(--bg);color:var(--fg);"
"font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif}\n"
"main{max-width:48rem;margin:0 auto;padding:2rem 1rem}\n"
"h1{margin:0 0 1rem;font-size:1.75rem}\n"
"h2{margin:2.5rem 0 .5rem;font-size:1.1rem}\n"
"form{display:flex;gap:.5rem}\n"
"input,button{font-size:1.1rem;border-radius:6px;padding:.55rem .8rem}\n"
"input{flex:1;min-width:0;border:1px solid var(--line);"
"background:var(--card);color:inherit;font-family:ui-monospace,monospace}\n"
"input:focus{outline:2px solid var(--accent);outline-offset:-1px}\n"
"button{border:0;background:var(--accent);color:#fff;cursor:pointer}\n"
".hint{color:var(--muted);font-size:.9rem;margin:.4rem 0 0}\n"
"#result{margin:1.25rem 0 0;padding:.75rem 1rem;background:var(--card);"
"border:1px solid var(--line);border-left:4px solid var(--accent);"
"border-radius:6px;font:1.2rem ui-monospace,monospace;"
"overflow-wrap:anywhere}\n"
"#result .answer{font-weight:600}\n"
"#result.error{border-left-color:var(--error)}\n"
"#result.error .answer{color:var(--error);font-weight:400}\n"
"table{width:100%;border-collapse:collapse;background:var(--card);"
"font-size:.875rem;table-layout:fixed}\n"
"th:first-child{width:15rem}\n"
"th,td{padding:.35rem .6rem;border:1px solid var(--line);text-align:left;"
"vertical-align:top}\n"
"th{background:var(--bg)}\n"
"td{font-family:ui-monospace,monospace;overflow-wrap:break-word;"
"word-break:normal}\n"
"td:first-child{overflow-wrap:anywhere}\n"
".history{margin:.75rem 0 0;padding:0 0 0 2.25rem;color:var(--muted);"
"font-family:ui-monospace,monospace;overflow-wrap:anywhere}\n"
".history .error{color:var(--error)}\n"
"@media (max-width:40rem){main{padding:1rem .75rem}\n"
"h2{margin-top:1.5rem}\n"
"table,tbody,tr,td{display:block;width:auto}\n"
"thead{display:none}\n"
"tr{border-bottom:1px solid var(--line)}\n"
"table{border:1px solid var(--line);border-bottom:0}\n"
"td{border:0;padding:.3rem .6rem}\n"
"td:first-child{font-weight:600;"
"padding-bottom:0;color:var(--muted)}}\n"
".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
"clip:rect(0 0 0 0);white-space:nowrap}\n";

static const char http_page_head[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>calcd</title>\n"
"<link rel=\"stylesheet\" href=\"/style.css\">\n"
"</head>\n"
"<body>\n"
"<main>\n"
"<h1>calcd</h1>\n"
"<form method=\"get\" action=\"/\">\n"
"<label class=\"visually-hidden\" for=\"expr\">Expression</label>\n"
"<input id=\"expr\" name=\"expr\" type=\"text\" autocomplete=\"off\" "
"autocapitalize=\"off\" spellcheck=\"false\" autofocus "
"placeholder=\"2^64\" value=\"";

static const char http_page_form_end[] =
"<button type=\"submit\">Calculate</button>\n"
"</form>\n"
"<p class=\"hint\">Exact arithmetic: <code>0.1+0.2</code>, "
"<code>2^64</code>, <code>7/2</code>, <code>sqrt(2)</code>, "
"<code>20!</code>.</p>\n";

static const char http_page_table[] =
"<h2>Request headers</h2>\n"
"<table>\n"
"<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Value</th></tr>"
"</thead>\n"
"<tbody>\n";

static const char http_page_tail[] =
"</tbody>\n"
"</table>\n"
"</main>\n"
"</body>\n"
"</html>\n";

static const char http_headers_head[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>calcd: request headers</title>\n"
"<link rel=\"stylesheet\" href=\"/style.css\">\n"
"</head>\n"
"<body>\n"
"<main>\n"
"<h1><a href=\"/\">calcd</a></h1>\n"
"<p class=\"hint\">The same as JSON: ask with "
"<code>Accept: application/json</code>.</p>\n";

/*
 * A header value, HTML-escaped, with a chance to break the line after
 * each ',' and ';' (<wbr>), so that a narrow column wraps a long list
 * such as Accept between its items rather than inside one.
 */
static void
http_html_escape_wbr(struct http_buf *b, const char *s, size_t len)
{
	size_t	 i, from = 0;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == ';') {
			http_html_escape(b, s + from, i + 1 - from);
			http_buf_adds(b, "<wbr>");
			from = i + 1;
		}
	http_html_escape(b, s + from, len - from);
}

/* The rows of the header table: every name and value, HTML-escaped. */
static void
http_page_rows(struct http_buf *b, const struct http_req *r, const char *in)
{
	const struct http_header	*h;
	size_t				 i;

	for (i = 0; i < r->nhdr; i++) {
		h = &r->hdr[i];
		http_buf_adds(b, "<tr><td>");
		http_html_escape(b, in + h->name.off, h->name.len);
		http_buf_adds(b, "</td><td>");
		http_html_escape_wbr(b, in + h->value.off, h->value.len);
		http_buf_adds(b, "</td></tr>\n");
	}
}

/* The expression and its answer, in the element with id "result". */
static void
http_page_result(struct http_buf *b, const struct http_page_args *a)
{
	http_buf_addf(b, "<p id=\"result\" class=\"%s\" aria-live=\"polite\">"
	    "<span class=\"expr\">", a->error ? "error" : "ok");
	http_html_escape(b, a->expr, a->exprlen);
	http_buf_adds(b, "</span> = <span class=\"answer\">");
	http_html_escape(b, a->answer, a->answerlen);
	http_buf_adds(b, "</span></p>\n");
	if (a->error && a->plus)
		http_buf_adds(b, "<p class=\"hint\">A <code>+</code> typed in "
		    "the address is a space; write <code>%2B</code> for a "
		    "plus, or use the form.</p>\n");
}

/*
 * Append the page: the form (holding the expression asked, if any), the
 * answer, and a table of the request's own headers in order.
 */
void
http_page(struct http_buf *b, const struct http_page_args *a)
{
	http_buf_adds(b, http_page_head);
	if (a->expr != NULL)
		http_html_escape(b, a->expr, a->exprlen);
	http_buf_adds(b, "\">\n");
	if (a->hidden != NULL)
		http_buf_adds(b, a->hidden);
	http_buf_adds(b, http_page_form_end);
	if (a->expr != NULL && a->answer != NULL)
		http_page_result(b, a);
	if (a->history != NULL && *a->history != '\0') {
		http_buf_adds(b, "<ol class=\"history\" reversed "
		    "aria-label=\"Earlier\">\n");
		http_buf_adds(b, a->history);
		http_buf_adds(b, "</ol>\n");
	}
	http_buf_adds(b, http_page_table);
	http_page_rows(b, a->req, a->in);
	http_buf_adds(b, http_page_tail);
}

/*
 * /headers for a browser: the request's headers (and the client's
 * address) as a page of their own, in the page's style.
 */
void
http_headers_page(struct http_buf *b, const struct http_req *r,
    const char *in, const char *client)
{
	http_buf_adds(b, http_headers_head);
	if (client != NULL) {
		http_buf_adds(b, "<p>Client: <code>");
		http_html_escape(b, client, strlen(client));
		http_buf_adds(b, "</code></p>\n");
	}
	http_buf_adds(b, http_page_table);
	http_page_rows(b, r, in);
	http_buf_adds(b, http_page_tail);
}
