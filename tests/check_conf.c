/*
 * check_conf.c - conf_load() on temporary files: what good files set,
 * the defaults of what they leave out, and the exact "FILE:LINE: message"
 * of every kind of mistake; then "calcd -t" on a few of them, and
 * "calcd -s", which signals a running master.
 *
 * The numbers below are the contract of calcd.conf(5): ranges and
 * defaults as the manual states them.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "harness.h"

Suite	*make_conf_suite(void);

static char		 dir[H_PATH_MAX];
static char		 path[H_PATH_MAX + 32];
static char		 err[CONF_ERR_MAX];
static struct conf	 conf;

static void
setup(void)
{
	ck_assert_msg(h_tmpdir(dir, sizeof(dir)) == 0, "%s", h_err());
	snprintf(path, sizeof(path), "%s/calcd.conf", dir);
	err[0] = '\0';
}

static void
teardown(void)
{
	if (getenv("CALCD_KEEP_TMP") == NULL)
		h_rmtree(dir);
}

/* Write len bytes of text as the file and load it. */
static int
load_bytes(const char *text, size_t len)
{
	ck_assert_msg(h_write_file(path, text, len) == 0, "%s", h_err());
	memset(&conf, 0xa5, sizeof(conf));	/* no field is set by luck */
	return conf_load(path, &conf, err, sizeof(err));
}

static void
load_ok(const char *text)
{
	ck_assert_msg(load_bytes(text, strlen(text)) == 0, "\"%s\": %s", text,
	    err);
}

/* Require the error "PATH" followed by want (":LINE: message"). */
static void
load_fails(const char *text, size_t len, const char *want)
{
	char	 full[sizeof(path) + CONF_ERR_MAX];

	snprintf(full, sizeof(full), "%s%s", path, want);
	ck_assert_msg(load_bytes(text, len) == -1, "\"%s\" was accepted",
	    text);
	ck_assert_str_eq(err, full);
}

static unsigned long
field_ulong(size_t offset)
{
	return *(const unsigned long *)((const char *)&conf + offset);
}

static const char *
field_string(size_t offset)
{
	return (const char *)&conf + offset;
}

#ifndef CONF_WORKERS_MAX
#define CONF_WORKERS_MAX	1024
#endif

/*
 * Numbers: every numeric keyword with its range and default.  "with"
 * holds other settings that its extreme values need (the spare counts
 * must stay within workers-max).
 */
#define F(field)	offsetof(struct conf, field)
#define STR(n)		#n
#define XSTR(n)		STR(n)
#define WITH_MAX_SPARE	"workers-max-spare " XSTR(CONF_WORKERS_MAX) "\n"
#define WITH_MAX	"workers-max " XSTR(CONF_WORKERS_MAX) "\n"
static const struct {
	const char	*name;
	size_t		 offset;
	unsigned long	 min, max, def;
	const char	*with;
} numbers[] = {
	{ "workers-min-spare", F(workers_min_spare), 1, CONF_WORKERS_MAX, 5,
	    WITH_MAX_SPARE WITH_MAX },
	{ "workers-max-spare", F(workers_max_spare), 1, CONF_WORKERS_MAX, 10,
	    "workers-min-spare 1\n" WITH_MAX },
	{ "workers-max", F(workers_max), 1, CONF_WORKERS_MAX, 150,
	    "workers-min-spare 1\nworkers-max-spare 1\n" },
	{ "max-connections-per-worker", F(max_connections_per_worker),
	    1, 100000000, 10000, "" },
	{ "address-prefix-v4", F(address_prefix_v4), 1, 32, 32, "" },
	{ "address-prefix-v6", F(address_prefix_v6), 1, 128, 64, "" },
	{ "shed-protect", F(shed_protect), 0, 3600, 10, "" },
	{ "queue-timeout", F(queue_timeout), 1, 3600, 1, "" },
	{ "udp-workers", F(udp_workers), 1, 64, 1, "" },
	{ "max-line", F(max_line), 16, 1048576, 4096, "" },
	{ "idle-timeout", F(idle_timeout), 1, 86400, 300, "" },
	{ "line-timeout", F(line_timeout), 1, 86400, 30, "" },
	{ "request-timeout", F(request_timeout), 1, 3600, 30, "" },
	{ "shutdown-timeout", F(shutdown_timeout), 1, 3600, 10, "" },
	{ "listen-backlog", F(listen_backlog), 1, 65535, 511, "" },
	{ "precision", F(calc.precision), 1, 1000, 34, "" },
	{ "max-digits", F(calc.max_digits), 20, 1000000, 10000, "" },
	{ "max-depth", F(calc.max_depth), 1, 10000, 256, "" },
	{ "max-expression-length", F(calc.max_length), 16, 1048576, 4096, "" },
	{ "max-variables", F(calc.max_variables), 0, 10000, 64, "" },
	{ "tls-handshake-timeout", F(tls_handshake_timeout), 1, 3600, 10, "" },
	{ "http-max-uri", F(http_max_uri), 64, 1048576, 8192, "" },
	{ "http-max-header-size", F(http_max_header_size), 256, 1048576,
	    16384, "" },
	{ "http-max-headers", F(http_max_headers), 1, 10000, 100, "" },
	{ "http-max-body", F(http_max_body), 0, 67108864, 65536, "" },
	{ "http-header-timeout", F(http_header_timeout), 1, 3600, 10, "" },
	{ "http-keepalive-timeout", F(http_keepalive_timeout), 1, 3600, 15,
	    "" },
	{ "http-body-timeout", F(http_body_timeout), 1, 3600, 10, "" },
	{ "http-body-min-rate", F(http_body_min_rate), 0, 1073741824, 500,
	    "" },
	{ "http-max-requests", F(http_max_requests), 1, 100000000, 1000, "" },
	{ "proxy-timeout", F(proxy_timeout), 1, 3600, 5, "" },
};
#define NNUMBERS	(sizeof(numbers) / sizeof(numbers[0]))

/* Words: every string keyword, a value to set and its default. */
static const struct {
	const char	*name;
	size_t		 offset;
	const char	*value, *def;
} words[] = {
	{ "user", F(user), "nobody", "_calcd" },
	{ "log-format", F(log_format), "json", "text" },
	{ "tls-ticket-key-file", F(tls_ticket_key_file), "/etc/calcd/ticket.key",
	    "" },
	{ "tls-certificate", F(tls_certificate), "/etc/calcd/server.pem",
	    "/etc/ssl/certs/ssl-cert-snakeoil.pem" },
	{ "tls-key", F(tls_key), "/etc/calcd/server.key",
	    "/etc/ssl/private/ssl-cert-snakeoil.key" },
	{ "tls-priority", F(tls_priority), "SECURE256:-VERS-TLS1.2",
	    CONF_DEFAULT_TLS_PRIORITY },
};
#define NWORDS		(sizeof(words) / sizeof(words[0]))

/*
 * Good files
 */

START_TEST(number_takes_its_minimum_and_maximum)
{
	char	 text[512];

	snprintf(text, sizeof(text), "%s %lu\n%s", numbers[_i].name,
	    numbers[_i].min, numbers[_i].with);
	load_ok(text);
	ck_assert_uint_eq(field_ulong(numbers[_i].offset), numbers[_i].min);
	snprintf(text, sizeof(text), "%s %lu\n%s", numbers[_i].name,
	    numbers[_i].max, numbers[_i].with);
	load_ok(text);
	ck_assert_uint_eq(field_ulong(numbers[_i].offset), numbers[_i].max);
}
END_TEST

START_TEST(number_has_its_default)
{
	load_ok("# nothing set\n");
	ck_assert_uint_eq(field_ulong(numbers[_i].offset), numbers[_i].def);
}
END_TEST

START_TEST(number_out_of_range_is_refused)
{
	char	 text[512], want[256];

	snprintf(text, sizeof(text), "%s %lu\n%s", numbers[_i].name,
	    numbers[_i].max + 1, numbers[_i].with);
	snprintf(want, sizeof(want), ":1: %s: %lu is out of range (%lu to "
	    "%lu)", numbers[_i].name, numbers[_i].max + 1, numbers[_i].min,
	    numbers[_i].max);
	load_fails(text, strlen(text), want);
	if (numbers[_i].min == 0)
		return;
	snprintf(text, sizeof(text), "%s %lu\n%s", numbers[_i].name,
	    numbers[_i].min - 1, numbers[_i].with);
	snprintf(want, sizeof(want), ":1: %s: %lu is out of range (%lu to "
	    "%lu)", numbers[_i].name, numbers[_i].min - 1, numbers[_i].min,
	    numbers[_i].max);
	load_fails(text, strlen(text), want);
}
END_TEST

START_TEST(word_is_set)
{
	char	 text[512];

	snprintf(text, sizeof(text), "%s %s\n", words[_i].name,
	    words[_i].value);
	load_ok(text);
	ck_assert_str_eq(field_string(words[_i].offset), words[_i].value);
}
END_TEST

START_TEST(word_has_its_default)
{
	load_ok("");
	ck_assert_str_eq(field_string(words[_i].offset), words[_i].def);
}
END_TEST

/*
 * The shipped etc/calcd.conf shows every setting with its default,
 * commented out: each keyword has its "#keyword " line, and the file with
 * those lines uncommented loads to the built-in defaults.
 */
/*
 * max-connections-per-address: a number of workers, or a percentage of
 * workers-max (the default, so that small pools are shared too), never
 * less than one.
 */
static const struct {
	const char	*text;
	unsigned long	 share;
} shares[] = {
	{ "", 15 },
	{ "workers-max 40\n", 4 },
	{ "workers-max 5\nworkers-max-spare 5\n", 1 },
	{ "max-connections-per-address 7\n", 7 },
	{ "max-connections-per-address 25%\nworkers-max 40\n", 10 },
	{ "max-connections-per-address 100%\n", 150 },
	{ "max-connections-per-address 1%\nworkers-max 50\n", 1 },
};

/*
 * The spare counts left at their defaults (5 and 10) follow the pool:
 * never above workers-max, and the most at least the fewest.
 */
static const struct {
	const char	*text;
	unsigned long	 min_spare, max_spare;
} spares[] = {
	{ "", 5, 10 },
	{ "workers-max 5\n", 5, 5 },
	{ "workers-max 1\n", 1, 1 },
	{ "workers-max 8\n", 5, 8 },
	{ "workers-max 3\nworkers-min-spare 2\n", 2, 3 },
	{ "workers-max 5\nworkers-max-spare 3\n", 3, 3 },
	{ "workers-min-spare 20\n", 20, 20 },
	{ "workers-max-spare 2\n", 2, 2 },
	{ "workers-min-spare 1\nworkers-max-spare 1\nworkers-max 1\n", 1, 1 },
};

START_TEST(spare_defaults_follow_the_pool)
{
	load_ok(spares[_i].text);
	ck_assert_uint_eq(conf.workers_min_spare, spares[_i].min_spare);
	ck_assert_uint_eq(conf.workers_max_spare, spares[_i].max_spare);
}
END_TEST

START_TEST(share_is_a_number_or_a_percentage)
{
	load_ok(shares[_i].text);
	ck_assert_uint_eq(conf_address_share(&conf), shares[_i].share);
}
END_TEST

START_TEST(shipped_file_shows_every_default)
{
	char		 file[H_PATH_MAX], *text, *open, *p;
	const char	*top = getenv("top_srcdir");
	size_t		 i, len;

	snprintf(file, sizeof(file), "%s/etc/calcd.conf", top ? top : ".");
	ck_assert_msg((text = h_read_file(file, &len)) != NULL, "%s",
	    h_err());
	ck_assert_ptr_nonnull(open = malloc(len + 1));
	for (i = 0, p = open; i < len; i++)
		if (!(text[i] == '#' && (i == 0 || text[i - 1] == '\n') &&
		    i + 1 < len && text[i + 1] >= 'a' && text[i + 1] <= 'z'))
			*p++ = text[i];
	*p = '\0';
	for (i = 0; i < NNUMBERS + NWORDS; i++) {
		const char *k = i < NNUMBERS ? numbers[i].name :
		    words[i - NNUMBERS].name;
		char want[64];

		snprintf(want, sizeof(want), "\n#%s ", k);
		ck_assert_msg(strstr(text, want) != NULL, "%s does not show %s",
		    file, k);
	}
	ck_assert_msg(strstr(text, "\n#metrics-allow ") != NULL &&
	    strstr(text, "\n#proxy-allow ") != NULL, "an address list is "
	    "missing from %s", file);
	load_ok(open);
	for (i = 0; i < NNUMBERS; i++)
		ck_assert_msg(field_ulong(numbers[i].offset) == numbers[i].def,
		    "%s shows %s %lu, the default is %lu", file,
		    numbers[i].name, field_ulong(numbers[i].offset),
		    numbers[i].def);
	for (i = 0; i < NWORDS; i++)	/* "": no default, an example shown */
		if (words[i].def[0] != '\0')
			ck_assert_str_eq(field_string(words[i].offset),
			    words[i].def);
	ck_assert_msg(strstr(text, "\n#max-work ") != NULL, "no max-work");
	ck_assert_msg(strstr(text, "\n#max-connections-per-address 10%") !=
	    NULL, "no max-connections-per-address");
	ck_assert_uint_eq(conf_address_share(&conf), 15);
	ck_assert_uint_eq(conf.calc.max_work, CALC_DEFAULT_MAX_WORK);
	ck_assert_uint_eq(conf.nlisten, 10);
	ck_assert_uint_eq(conf.metrics_allow.count, 2);
	ck_assert_uint_eq(conf.proxy_allow.count, 2);
	free(open);
	free(text);
}
END_TEST

START_TEST(blanks_comments_and_crlf_are_allowed)
{
	load_ok("# calcd.conf\n\n   \n\tworkers-max\t\t17   # seventeen\r\n"
	    "user nobody#no space before the comment\nmax-line 100");
	ck_assert_uint_eq(conf.workers_max, 17);
	ck_assert_str_eq(conf.user, "nobody");
	ck_assert_uint_eq(conf.max_line, 100);
	ck_assert_str_eq(conf.path, path);
}
END_TEST

/* Listen lines and the listener they make. */
static const struct {
	const char	*text;
	enum proto_id	 proto;
	int		 family;
	const char	*addr;
	unsigned	 port;
	const char	*name;
} listens[] = {
	{ "listen tcp 127.0.0.1:8000", PROTO_TCP, AF_INET, "127.0.0.1", 8000,
	    "tcp 127.0.0.1:8000" },
	{ "listen tcp *:1", PROTO_TCP, AF_INET, "0.0.0.0", 1,
	    "tcp 0.0.0.0:1" },
	{ "listen tls [::1]:65535", PROTO_TLS, AF_INET6, "::1", 65535,
	    "tls [::1]:65535" },
	{ "listen http [::]:80", PROTO_HTTP, AF_INET6, "::", 80,
	    "http [::]:80" },
	{ "listen https [2001:DB8:0::1]:443", PROTO_HTTPS, AF_INET6,
	    "2001:db8::1", 443, "https [2001:db8::1]:443" },
	{ "listen udp 10.0.0.1:0054321", PROTO_UDP, AF_INET, "10.0.0.1",
	    54321, "udp 10.0.0.1:54321" },
	{ "listen tcp [::ffff:127.0.0.1]:9", PROTO_TCP, AF_INET6,
	    "::ffff:127.0.0.1", 9, "tcp [::ffff:127.0.0.1]:9" },
};

/* Format a listener's address and port back to text. */
static unsigned
listen_addr(const struct conf_listen *l, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const void *)&l->addr;
	const struct sockaddr_in6	*sin6 = (const void *)&l->addr;

	if (l->addr.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
		return ntohs(sin6->sin6_port);
	}
	inet_ntop(AF_INET, &sin->sin_addr, buf, len);
	return ntohs(sin->sin_port);
}

START_TEST(listen_line_makes_a_listener)
{
	const struct conf_listen	*l = &conf.listen[0];
	char				 text[256], addr[INET6_ADDRSTRLEN];

	snprintf(text, sizeof(text), "\n%s\n", listens[_i].text);
	load_ok(text);
	ck_assert_uint_eq(conf.nlisten, 1);
	ck_assert_int_eq(l->proto, listens[_i].proto);
	ck_assert_int_eq(l->addr.ss_family, listens[_i].family);
	ck_assert_uint_eq(listen_addr(l, addr, sizeof(addr)),
	    listens[_i].port);
	ck_assert_str_eq(addr, listens[_i].addr);
	ck_assert_str_eq(l->name, listens[_i].name);
	ck_assert_int_eq(l->line, 2);
	ck_assert_int_eq(l->fd, -1);
}
END_TEST

START_TEST(listen_line_takes_proxy)
{
	load_ok("listen http 127.0.0.1:80 proxy\nlisten tls [::1]:443\n"
	    "proxy-allow 192.0.2.0/24\n");
	ck_assert_int_eq(conf.listen[0].proxy, 1);
	ck_assert_str_eq(conf.listen[0].name, "http 127.0.0.1:80");
	ck_assert_int_eq(conf.listen[1].proxy, 0);
	ck_assert_uint_eq(conf.proxy_allow.count, 1);
	load_ok("");
	ck_assert_uint_eq(conf.proxy_allow.count, 2);
	ck_assert_uint_eq(conf.proxy_timeout, 5);
}
END_TEST

START_TEST(tcp_and_udp_share_an_address)
{
	load_ok("listen tcp 127.0.0.1:54321\nlisten udp 127.0.0.1:54321\n"
	    "listen tcp [::1]:54321\n");
	ck_assert_uint_eq(conf.nlisten, 3);
	ck_assert_str_eq(conf.listen[1].name, "udp 127.0.0.1:54321");
	ck_assert_int_eq(conf.listen[2].line, 3);
}
END_TEST

START_TEST(no_listen_line_gives_default_listeners)
{
	static const char *const want[] = {
		"tcp 0.0.0.0:54321", "tcp [::]:54321",
		"tls 0.0.0.0:54322", "tls [::]:54322",
		"http 0.0.0.0:54380", "http [::]:54380",
		"https 0.0.0.0:54443", "https [::]:54443",
		"udp 0.0.0.0:54321", "udp [::]:54321",
	};
	size_t	 i;

	load_ok("workers-max 10\n");
	ck_assert_uint_eq(conf.nlisten, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < conf.nlisten; i++) {
		ck_assert_str_eq(conf.listen[i].name, want[i]);
		ck_assert_int_eq(conf.listen[i].line, 0);
		ck_assert_int_eq(conf.listen[i].fd, -1);
	}
}
END_TEST

START_TEST(listen_lines_replace_default_listeners)
{
	load_ok("listen udp 127.0.0.1:5353\n");
	ck_assert_uint_eq(conf.nlisten, 1);
	ck_assert_str_eq(conf.listen[0].name, "udp 127.0.0.1:5353");
}
END_TEST

START_TEST(thirty_two_listen_lines_are_allowed)
{
	char	 text[CONF_LISTEN_MAX * 40 + 64];
	size_t	 len = 0;
	int	 i;

	for (i = 0; i < CONF_LISTEN_MAX; i++)
		len += sprintf(text + len, "listen tcp 127.0.0.1:%d\n",
		    1000 + i);
	load_ok(text);
	ck_assert_uint_eq(conf.nlisten, CONF_LISTEN_MAX);
	sprintf(text + len, "listen tcp 127.0.0.1:2000\n");
	load_fails(text, strlen(text), ":33: too many listen lines (at most "
	    "32)");
}
END_TEST

/* Whether the address text matches the loaded metrics-allow list. */
static int
allowed(const char *text)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		ck_abort_msg("bad test address %s", text);
	return conf_netlist_match(&conf.metrics_allow,
	    (struct sockaddr *)&ss);
}

START_TEST(metrics_allow_takes_networks)
{
	load_ok("metrics-allow 10.0.0.0/8 [2001:db8::]/32 ::1 192.0.2.7\n");
	ck_assert_uint_eq(conf.metrics_allow.count, 4);
	ck_assert(allowed("10.200.0.1"));
	ck_assert(!allowed("11.0.0.1"));
	ck_assert(allowed("2001:db8:ffff::5"));
	ck_assert(!allowed("2001:db9::5"));
	ck_assert(allowed("::1"));
	ck_assert(allowed("192.0.2.7"));
	ck_assert(!allowed("192.0.2.8"));
	ck_assert(!allowed("127.0.0.1"));
}
END_TEST

START_TEST(metrics_allow_defaults_to_loopback)
{
	load_ok("");
	ck_assert(allowed("127.0.0.1"));
	ck_assert(allowed("127.9.9.9"));
	ck_assert(allowed("::1"));
	ck_assert(allowed("::ffff:127.0.0.1"));
	ck_assert(!allowed("10.0.0.1"));
	ck_assert(!allowed("::2"));
	load_ok("metrics-allow none\n");
	ck_assert_uint_eq(conf.metrics_allow.count, 0);
	ck_assert(!allowed("127.0.0.1"));
}
END_TEST

START_TEST(longest_line_and_value_are_allowed)
{
	char	 text[CONF_LINE_MAX + 64];

	/* CONF_LINE_MAX bytes, counting the newline. */
	memset(text, '#', CONF_LINE_MAX - 1);
	strcpy(text + CONF_LINE_MAX - 1, "\n");
	load_ok(text);
	snprintf(text, sizeof(text), "user %.*s\n", (int)sizeof(conf.user) - 1,
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuu");
	load_ok(text);
	ck_assert_uint_eq(strlen(conf.user), sizeof(conf.user) - 1);
}
END_TEST

/*
 * Bad files: the text and the error after "PATH".  BAD() keeps the
 * length, so that a text may hold a NUL byte.
 */
#define BAD(text, error)	{ text, sizeof(text) - 1, error }
static const struct {
	const char	*text;
	size_t		 len;
	const char	*error;
} bads[] = {
	BAD("no-such-keyword 1\n", ":1: unknown keyword 'no-such-keyword'"),
	BAD("# comment\n\nworkers-max\n", ":3: workers-max takes one value"),
	BAD("workers-max 5 6\n", ":1: workers-max takes one value"),
	BAD("user a b\n", ":1: user takes one value"),
	BAD("metrics-allow\n", ":1: metrics-allow takes one value"),
	BAD("workers-max ten\n", ":1: workers-max: 'ten' is not a number"),
	BAD("workers-max 10x\n", ":1: workers-max: '10x' is not a number"),
	BAD("workers-max -1\n", ":1: workers-max: '-1' is not a number"),
	BAD("workers-max +1\n", ":1: workers-max: '+1' is not a number"),
	BAD("workers-max 0x10\n", ":1: workers-max: '0x10' is not a number"),
	BAD("max-line 99999999999999999999999\n", ":1: max-line: "
	    "99999999999999999999999 is out of range (16 to 1048576)"),
	BAD("max-line 15\n", ":1: max-line: 15 is out of range (16 to "
	    "1048576)"),
	BAD("idle-timeout 0\n", ":1: idle-timeout: 0 is out of range (1 to "
	    "86400)"),
	BAD("log-format xml\n", ": log-format: 'xml' is not text or json"),
	BAD("max-connections-per-address 0%\n", ":1: "
	    "max-connections-per-address: 0 is out of range (1 to 100)"),
	BAD("max-connections-per-address 101%\n", ":1: "
	    "max-connections-per-address: 101 is out of range (1 to 100)"),
	BAD("max-connections-per-address %\n", ":1: "
	    "max-connections-per-address: '' is not a number"),
	BAD("max-connections-per-address 0\n", ":1: "
	    "max-connections-per-address: 0 is out of range (1 to 10000)"),
	BAD("listen-backlog 65536\n", ":1: listen-backlog: 65536 is out of "
	    "range (1 to 65535)"),
	BAD("workers-max 5\n#\nworkers-max 6\n", ":3: workers-max is already "
	    "set on line 1"),
	BAD("user a\nuser a\n", ":2: user is already set on line 1"),
	BAD("listen sctp 127.0.0.1:1\n", ":1: listen: unknown protocol "
	    "'sctp'"),
	BAD("listen TCP 127.0.0.1:1\n", ":1: listen: unknown protocol 'TCP'"),
	BAD("listen tcp\n", ":1: listen takes a protocol, ADDRESS:PORT and "
	    "optionally \"proxy\""),
	BAD("listen tcp 127.0.0.1:1 2\n", ":1: listen takes a protocol, "
	    "ADDRESS:PORT and optionally \"proxy\""),
	BAD("listen tcp 127.0.0.1:1 proxy x\n", ":1: listen takes a "
	    "protocol, ADDRESS:PORT and optionally \"proxy\""),
	BAD("listen udp 127.0.0.1:1 proxy\n", ":1: listen udp: the PROXY "
	    "protocol is for stream listeners"),
	BAD("listen tcp 127.0.0.1\n", ":1: '127.0.0.1': expected "
	    "ADDRESS:PORT"),
	BAD("listen tcp localhost:80\n", ":1: 'localhost': not a numeric "
	    "IPv4 or [IPv6] address"),
	BAD("listen tcp 256.0.0.1:80\n", ":1: '256.0.0.1': not a numeric "
	    "IPv4 or [IPv6] address"),
	BAD("listen tcp [::1:80\n", ":1: '[::1:80': expected [IPv6]:PORT"),
	BAD("listen tcp [fe80::zz]:80\n", ":1: 'fe80::zz': not a numeric "
	    "IPv4 or [IPv6] address"),
	BAD("listen tcp :80\n", ":1: ':80': bad address"),
	/* Without brackets, which colon ends the IPv6 address? */
	BAD("listen tcp ::1:8000\n", ":1: '::1:8000': an IPv6 address goes "
	    "in brackets: [ADDRESS]:PORT"),
	BAD("listen tcp fe80::1:80\n", ":1: 'fe80::1:80': an IPv6 address "
	    "goes in brackets: [ADDRESS]:PORT"),
	BAD("listen tcp ::ffff:1\n", ":1: '::ffff:1': an IPv6 address goes in "
	    "brackets: [ADDRESS]:PORT"),
	BAD("listen tcp 127.0.0.1:0\n", ":1: '0': port must be 1 to 65535"),
	BAD("listen tcp 127.0.0.1:65536\n", ":1: '65536': port must be 1 to "
	    "65535"),
	BAD("listen tcp 127.0.0.1:\n", ":1: '': port must be 1 to 65535"),
	BAD("listen tcp 127.0.0.1:http\n", ":1: 'http': port must be 1 to "
	    "65535"),
	BAD("listen tcp [::1]:-1\n", ":1: '-1': port must be 1 to 65535"),
	BAD("listen tcp 127.0.0.1:80\nlisten tcp 127.0.0.1:80\n", ":2: listen "
	    "tcp 127.0.0.1:80: address already used by \"listen tcp "
	    "127.0.0.1:80\" on line 1"),
	BAD("listen tcp *:80\nlisten http 0.0.0.0:80\n", ":2: listen http "
	    "0.0.0.0:80: address already used by \"listen tcp 0.0.0.0:80\" "
	    "on line 1"),
	BAD("listen tls [::1]:443\n\nlisten https [0:0::1]:443\n", ":3: listen "
	    "https [::1]:443: address already used by \"listen tls [::1]:443\" "
	    "on line 1"),
	BAD("listen udp 127.0.0.1:53\nlisten udp 127.0.0.1:53\n", ":2: listen "
	    "udp 127.0.0.1:53: address already used by \"listen udp "
	    "127.0.0.1:53\" on line 1"),
	BAD("workers-min-spare 20\nworkers-max-spare 10\n", ":1: "
	    "workers-min-spare (20) is greater than workers-max-spare (10)"),
	BAD("workers-max-spare 200\n", ":1: workers-max-spare (200) is "
	    "greater than workers-max (150)"),
	BAD("workers-max 8\n\nworkers-max-spare 10\n", ":3: "
	    "workers-max-spare (10) is greater than workers-max (8)"),
	BAD("workers-max 5\nworkers-min-spare 8\n", ":2: workers-min-spare "
	    "(8) is greater than workers-max (5)"),
	BAD("metrics-allow 10.0.0.0/33\n", ":1: metrics-allow: '10.0.0.0/33': "
	    "bad prefix length"),
	BAD("metrics-allow ::1/129\n", ":1: metrics-allow: '::1/129': bad "
	    "prefix length"),
	BAD("metrics-allow ::1/\n", ":1: metrics-allow: '::1/': bad prefix "
	    "length"),
	BAD("metrics-allow localhost\n", ":1: metrics-allow: 'localhost': not "
	    "a numeric IPv4 or IPv6 address"),
	BAD("metrics-allow none ::1\n", ":1: metrics-allow: 'none': not a "
	    "numeric IPv4 or IPv6 address"),
	BAD("workers-max 5\0\n", ":1: NUL byte in line"),
	BAD("user nobody\n\0\n", ":2: NUL byte in line"),
};
#define NBADS	(sizeof(bads) / sizeof(bads[0]))

START_TEST(bad_file_is_refused_with_file_line_and_message)
{
	load_fails(bads[_i].text, bads[_i].len, bads[_i].error);
}
END_TEST

START_TEST(missing_file_is_refused)
{
	char	 none[sizeof(dir) + 8], want[sizeof(dir) + 64];

	snprintf(none, sizeof(none), "%s/none", dir);
	snprintf(want, sizeof(want), "%s: No such file or directory", none);
	ck_assert_int_eq(conf_load(none, &conf, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	ck_assert_int_eq(conf_load(dir, &conf, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(overlong_line_and_value_are_refused)
{
	char	 text[CONF_LINE_MAX + 64];

	memset(text, '#', CONF_LINE_MAX);
	strcpy(text + CONF_LINE_MAX, "\n");
	load_fails(text, strlen(text), ":1: line too long (at most 1024 "
	    "bytes)");
	snprintf(text, sizeof(text), "# 2\nuser %.*s\n", (int)sizeof(conf.user),
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuu");
	load_fails(text, strlen(text), ":2: user: value too long");
}
END_TEST

/*
 * calcd -t: exit 0 on a good file, 1 with the error on stderr.  It also
 * resolves the user, so the good files name one that exists; and it has
 * no TLS listener, whose certificate it would load.
 */
static const struct {
	const char	*text;
	int		 status;
	const char	*output;	/* after "PATH" */
	int		 as_root;	/* only checked when run as root */
} runs[] = {
	{ "listen tcp 127.0.0.1:54321\nuser nobody\n", 0,
	    ": configuration OK\n", 0 },
	{ "user nobody\nlisten udp [::1]:5353\nmax-line 100\n", 0,
	    ": configuration OK\n", 0 },
	{ "workers-max 5\nbogus\n", 1, ":2: unknown keyword 'bogus'\n",
	    0 },
	{ "listen tcp 127.0.0.1:0\n", 1, ":1: '0': port must be 1 to 65535\n",
	    0 },
	{ "workers-min-spare 20\nworkers-max-spare 10\n", 1, ":1: "
	    "workers-min-spare (20) is greater than workers-max-spare (10)\n",
	    0 },
	{ "user nobody\nlisten tcp 127.0.0.1:54321\nworkers-max 5\n", 0,
	    ": configuration OK\n", 0 },
	/* The user is checked as root, the way the daemon runs. */
	{ "# no such user\nlisten tcp 127.0.0.1:54321\nuser calcd-nobody\n",
	    1, ":3: user calcd-nobody: no such user\n", 1 },
	{ "user root\n", 1, ":1: user root: workers must not run as root\n",
	    1 },
};

START_TEST(calcd_t_checks_the_file)
{
	char	 out[sizeof(dir) + 16], want[PATH_MAX + 256], *got, *real;
	char	*argv[] = { (char *)h_calcd(), "-t", "-c", path, NULL };
	int	 rc;

	if (runs[_i].as_root && geteuid() != 0)
		return;
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_msg(h_write_file(path, runs[_i].text,
	    strlen(runs[_i].text)) == 0, "%s", h_err());
	rc = h_run(argv, out, 5000);
	ck_assert_msg(rc != -1, "%s", h_err());
	ck_assert_ptr_nonnull(got = h_read_file(out, NULL));
	/* calcd names the file by its absolute, resolved path. */
	ck_assert_ptr_nonnull(real = realpath(path, NULL));
	snprintf(want, sizeof(want), "%s%s", real, runs[_i].output);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(rc, runs[_i].status);
	free(real);
	free(got);
}
END_TEST

START_TEST(calcd_t_reports_a_missing_file)
{
	char	 out[sizeof(dir) + 16], want[sizeof(dir) + 64], *got;
	char	*argv[] = { (char *)h_calcd(), "-t", "-c", want, NULL };

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(want, sizeof(want), "%s/none", dir);
	ck_assert_int_eq(h_run(argv, out, 5000), 1);
	ck_assert_ptr_nonnull(got = h_read_file(out, NULL));
	strcat(want, ": No such file or directory\n");
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/*
 * calcd -s refuses, with its reason and exit status, whatever would not
 * signal a calcd master: no MAINPID, one that is no process ID, a process
 * that is gone or that runs another program (this test), a wrong name or
 * another option beside it.  "%SELF%" stands for this process's ID.
 */
static const struct {
	const char	*mainpid;	/* NULL: unset */
	const char	*args[3];
	int		 status;
	const char	*output;	/* a part of what calcd prints; %EXE%:
					   "process <this one> runs /" */
} signals[] = {
	{ NULL, { "-s", "reload" }, 1,
	    "calcd: -s reload: MAINPID is not set" },
	{ "", { "-s", "stop" }, 1, "calcd: -s stop: MAINPID is not set" },
	{ "12ab", { "-s", "reload" }, 1,
	    "calcd: -s reload: MAINPID '12ab' is not a process ID" },
	{ "-5", { "-s", "reload" }, 1, "MAINPID '-5' is not a process ID" },
	{ "1", { "-s", "reload" }, 1, "MAINPID '1' is not a process ID" },
	{ "99999999999", { "-s", "reload" }, 1, "is not a process ID" },
	{ "%SELF%", { "-s", "stop" }, 1, "%EXE%" },
	{ "%SELF%", { "-s", "bogus" }, 2,
	    "calcd: -s bogus: unknown signal (reload or stop)" },
	{ "%SELF%", { "-s", "reload", "-t" }, 2, "usage: calcd" },
	{ "%SELF%", { "-f", "-s", "reload" }, 2, "usage: calcd" },
};

START_TEST(calcd_s_refuses_what_is_not_a_master)
{
	char	 out[sizeof(dir) + 16], self[32], want[128], *got;
	char	*argv[5] = { (char *)h_calcd() };
	int	 i;

	snprintf(out, sizeof(out), "%s/out", dir);
	for (i = 0; i < 3 && signals[_i].args[i] != NULL; i++)
		argv[i + 1] = (char *)signals[_i].args[i];
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	if (signals[_i].mainpid == NULL)
		unsetenv("MAINPID");
	else
		setenv("MAINPID", strcmp(signals[_i].mainpid, "%SELF%") == 0 ?
		    self : signals[_i].mainpid, 1);
	ck_assert_int_eq(h_run(argv, out, 5000), signals[_i].status);
	ck_assert_ptr_nonnull(got = h_read_file(out, NULL));
	/*
	 * Which program this process runs is not asked: under valgrind,
	 * calcd sees the valgrind tool where this process sees itself.
	 */
	snprintf(want, sizeof(want), "%s", signals[_i].output);
	if (strcmp(want, "%EXE%") == 0)
		snprintf(want, sizeof(want), "process %s runs /", self);
	ck_assert_msg(strstr(got, want) != NULL, "wanted '%s' in '%s'",
	    want, got);
	free(got);
}
END_TEST

/* A process that has exited is refused, not mistaken for another. */
START_TEST(calcd_s_refuses_a_process_that_is_gone)
{
	char	 out[sizeof(dir) + 16], pid[32], want[64], *got;
	char	*argv[] = { (char *)h_calcd(), "-s", "reload", NULL };
	pid_t	 gone;

	snprintf(out, sizeof(out), "%s/out", dir);
	/* A child that has exited and been reaped: its ID is free. */
	ck_assert_int_ne(gone = fork(), -1);
	if (gone == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(gone, NULL, 0), gone);
	snprintf(pid, sizeof(pid), "%ld", (long)gone);
	setenv("MAINPID", pid, 1);
	ck_assert_int_eq(h_run(argv, out, 5000), 1);
	ck_assert_ptr_nonnull(got = h_read_file(out, NULL));
	snprintf(want, sizeof(want), "process %s: no such process", pid);
	ck_assert_msg(strstr(got, want) != NULL, "wanted '%s' in '%s'", want,
	    got);
	free(got);
}
END_TEST

static TCase *
tcase(Suite *s, const char *name)
{
	TCase	*tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *
make_conf_suite(void)
{
	Suite	*s = suite_create("Conf");
	TCase	*tc;

	tc = tcase(s, "Settings");
	tcase_add_loop_test(tc, number_takes_its_minimum_and_maximum, 0,
	    NNUMBERS);
	tcase_add_loop_test(tc, number_has_its_default, 0, NNUMBERS);
	tcase_add_loop_test(tc, spare_defaults_follow_the_pool, 0,
	    sizeof(spares) / sizeof(spares[0]));
	tcase_add_loop_test(tc, share_is_a_number_or_a_percentage, 0,
	    sizeof(shares) / sizeof(shares[0]));
	tcase_add_loop_test(tc, word_is_set, 0, NWORDS);
	tcase_add_loop_test(tc, word_has_its_default, 0, NWORDS);
	tcase_add_test(tc, blanks_comments_and_crlf_are_allowed);
	tcase_add_test(tc, shipped_file_shows_every_default);
	tcase_add_test(tc, metrics_allow_takes_networks);
	tcase_add_test(tc, metrics_allow_defaults_to_loopback);
	tcase_add_test(tc, longest_line_and_value_are_allowed);

	tc = tcase(s, "Listen");
	tcase_add_loop_test(tc, listen_line_makes_a_listener, 0,
	    sizeof(listens) / sizeof(listens[0]));
	tcase_add_test(tc, listen_line_takes_proxy);
	tcase_add_test(tc, tcp_and_udp_share_an_address);
	tcase_add_test(tc, no_listen_line_gives_default_listeners);
	tcase_add_test(tc, listen_lines_replace_default_listeners);
	tcase_add_test(tc, thirty_two_listen_lines_are_allowed);

	tc = tcase(s, "Errors");
	tcase_add_loop_test(tc, number_out_of_range_is_refused, 0, NNUMBERS);
	tcase_add_loop_test(tc, bad_file_is_refused_with_file_line_and_message,
	    0, NBADS);
	tcase_add_test(tc, missing_file_is_refused);
	tcase_add_test(tc, overlong_line_and_value_are_refused);

	tc = tcase(s, "Program");
	tcase_add_loop_test(tc, calcd_t_checks_the_file, 0,
	    sizeof(runs) / sizeof(runs[0]));
	tcase_add_test(tc, calcd_t_reports_a_missing_file);
	tcase_add_loop_test(tc, calcd_s_refuses_what_is_not_a_master, 0,
	    sizeof(signals) / sizeof(signals[0]));
	tcase_add_test(tc, calcd_s_refuses_a_process_that_is_gone);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	h_init("check_conf");
	sr = srunner_create(make_conf_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_finish();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
