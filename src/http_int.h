/*
 * http_int.h - private to the HTTP module: the request parser
 * (http_parse.c), the output buffer, escaping and the page
 * (http_page.c), shared with the connection loop (http.c) and the unit
 * tests.  Nothing here is part of the interface of http.h.
 */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <stddef.h>
#include <time.h>

#include "http.h"

/*
 * Fixed limits.  The ones an administrator may want to change are fields
 * of struct http_conf; these only keep a hostile or broken peer from
 * costing memory or time.
 */
#define HTTP_METHOD_MAX		16	/* bytes of a method token; longer
					   is an unknown method: 501 */
#define HTTP_CHUNK_LINE_MAX	1024	/* bytes of a chunk-size line with
					   its extensions: 400 past it */
#define HTTP_TRAILER_MAX	4096	/* bytes of a chunked body's
					   trailers: 431 past it */
#define HTTP_READ_SIZE		16384	/* room for a read past the largest
					   head; > HTTP_TRAILER_MAX */
#define HTTP_FLUSH_AT		65536	/* pipelined answers buffered before
					   a write */
#define HTTP_SEND_TIMEOUT_MS	10000	/* each wait for a peer that does not
					   read what we send */
#define HTTP_MAX_RESPONSE	(16 * 1024 * 1024)	/* answers of one
					   POST /calc: later lines get an
					   error, so a small body cannot make
					   a huge answer */
#define HTTP_METRICS_MIN	16384	/* first buffer for /metrics */
#define HTTP_METRICS_MAX	(1024 * 1024)	/* largest: 500 past it */
#define HTTP_DATE_LEN		29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Methods: the served ones, the standard ones we refuse, and others. */
enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_PATCH,
	HTTP_TRACE,
	HTTP_CONNECT,
	HTTP_UNKNOWN
};

/* A piece of the input buffer: offsets stay valid when it moves. */
struct http_span {
	size_t	off;
	size_t	len;
};

struct http_header {
	struct http_span	name;
	struct http_span	value;	/* without blanks around it */
};

/* One request, its head as spans of the input buffer, its body decoded. */
struct http_req {
	enum http_method	 method;
	struct http_span	 target;
	int			 minor;		/* HTTP/1.minor: 0 or 1 */
	struct http_header	*hdr;		/* in order, duplicates kept */
	size_t			 nhdr;
	size_t			 hdrcap;
	size_t			 head_len;	/* bytes, the blank line too */
	int			 chunked;	/* Transfer-Encoding: chunked */
	int			 has_length;	/* Content-Length seen */
	size_t			 length;	/* its value */
	int			 close;		/* no keep-alive after it */
	int			 keepalive10;	/* 1.0 asked for keep-alive */
	int			 expect_continue; /* Expect: 100-continue */
	char			*body;		/* decoded, no NUL added */
	size_t			 bodylen;
	size_t			 bodycap;
};

enum http_pstate {
	HTTP_S_REQLINE,
	HTTP_S_HEADERS,
	HTTP_S_BODY,		/* Content-Length bytes */
	HTTP_S_CHUNK_SIZE,
	HTTP_S_CHUNK_DATA,
	HTTP_S_CHUNK_END,	/* the CRLF after a chunk's data */
	HTTP_S_TRAILERS,
	HTTP_S_DONE
};

enum http_parse {
	HTTP_PARSE_MORE,	/* needs more bytes */
	HTTP_PARSE_DONE,	/* a whole request, head and body */
	HTTP_PARSE_ERROR	/* status and why say what */
};

/* The incremental parser: everything it knows between two reads. */
struct http_parser {
	enum http_pstate	 state;
	size_t			 line;		/* start of the current line */
	size_t			 scan;		/* where to look for LF next */
	size_t			 pos;		/* body: next byte to decode */
	size_t			 remain;	/* body: bytes left */
	size_t			 trailers;	/* bytes of trailers so far */
	size_t			 ntrailers;	/* trailer lines so far */
	size_t			 extensions;	/* bytes of chunk extensions */
	int			 status;	/* of the error */
	const char		*why;		/* a few words for the body */
	struct http_req		 req;
};

/* A growing text buffer; s is NUL-terminated once anything is added. */
struct http_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* memory ran out: the text is incomplete */
};

/* What the Accept header(s) said, as q-values in thousandths, or -1. */
struct http_accept {
	int	json;		/* application/json */
	int	text;		/* text/plain */
	int	text_any;	/* text/ * */
	int	any;		/* * / * */
	int	html;		/* text/html */
};

/* What the page shows besides its form. */
struct http_page_args {
	const char		*expr;		/* NULL: no expression asked */
	size_t			 exprlen;
	const char		*answer;	/* result or "error: ..." */
	size_t			 answerlen;
	int			 error;		/* answer is an error */
	int			 plus;		/* a '+' in the query became a
						   space */
	const struct http_req	*req;		/* for the header table */
	const char		*in;		/* the buffer req points into */
	const char		*history;	/* earlier answers, as <li>s */
	const char		*hidden;	/* the form's hidden inputs */
};

/*
 * The page keeps the last calculations of its view in the form, as
 * hidden "h" inputs that each submission carries in its query (no
 * script, no server state); they are evaluated again, in order, in the
 * session of the new one, so that variables carry over.  Bounded so that
 * a page costs a few evaluations at most.
 */
#define HTTP_PAGE_HISTORY	5

/* http_parse.c */
void		 http_parser_init(struct http_parser *p);
void		 http_parser_reset(struct http_parser *p);
void		 http_parser_free(struct http_parser *p);
enum http_parse	 http_parse(struct http_parser *p, char *buf, size_t *len,
		    const struct http_conf *hc);
int		 http_parse_in_body(const struct http_parser *p);
enum http_method http_method_lookup(const char *s, size_t len);
const char	*http_method_name(enum http_method m);
int		 http_name_eq(const char *s, size_t len, const char *name);
int		 http_list_has(const char *s, size_t len, const char *token);
int		 http_host_valid(const char *v, size_t len);
const struct http_header *http_header_find(const struct http_req *r,
		    const char *buf, const char *name);
int		 http_url_decode(const char *s, size_t len, char *out,
		    size_t *outlen);
int		 http_query_raw(const char *q, size_t qlen, const char *name,
		    char *scratch, const char **val, size_t *vallen);
int		 http_query_param(const char *q, size_t qlen, const char *name,
		    char *out, size_t *outlen);
void		 http_accept_init(struct http_accept *a);
void		 http_accept_scan(struct http_accept *a, const char *s,
		    size_t len);
int		 http_accept_json(const struct http_accept *a);
int		 http_accept_html(const struct http_accept *a);
int		 http_wants_json(const char *s, size_t len);

/* http_page.c */
void		 http_buf_reset(struct http_buf *b);
void		 http_buf_free(struct http_buf *b);
int		 http_buf_reserve(struct http_buf *b, size_t more);
void		 http_buf_add(struct http_buf *b, const void *p, size_t len);
void		 http_buf_adds(struct http_buf *b, const char *s);
void		 http_buf_addu(struct http_buf *b, size_t n);
void		 http_buf_addf(struct http_buf *b, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 http_html_escape(struct http_buf *b, const char *s,
		    size_t len);
void		 http_json_escape(struct http_buf *b, const char *s,
		    size_t len);
void		 http_page(struct http_buf *b, const struct http_page_args *a);
void		 http_headers_page(struct http_buf *b, const struct http_req *r,
		    const char *in, const char *client);
extern const char http_style_css[];

/* http.c */
const char	*http_reason(int status);
void		 http_date(char *buf, size_t len, time_t t);

#endif /* HTTP_INT_H */
