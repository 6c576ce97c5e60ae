/*
 * check_log.c - the JSON log: one object per line whatever bytes its
 * fields hold (json.h's encoder, through log_fields()).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"

/* Hostile values and the JSON string body each must become. */
static const struct {
	const char	*in;
	const char	*out;
} escapes[] = {
	{ "plain", "plain" },
	{ "a\"b\\c", "a\\\"b\\\\c" },
	{ "line\nbreak\r\n", "line\\nbreak\\r\\n" },
	{ "\t\b\f", "\\t\\b\\f" },
	{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "\xff\xfe", "\\ufffd\\ufffd" },
	{ "cut \xc3", "cut \\ufffd" },
	{ "\xc0\xaf", "\\ufffd\\ufffd" },		/* overlong '/' */
	{ "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" },	/* a surrogate */
	{ "\xe2\x80\xa8", "\xe2\x80\xa8" },		/* U+2028 is valid */
	{ "}{\"x\": 1", "}{\\\"x\\\": 1" },
};

START_TEST(escape_gives_a_json_string_body)
{
	char	 out[256];
	size_t	 used, n;

	n = json_escape(out, sizeof(out), escapes[_i].in,
	    strlen(escapes[_i].in), &used);
	ck_assert_str_eq(out, escapes[_i].out);
	ck_assert_uint_eq(n, strlen(escapes[_i].out));
	ck_assert_uint_eq(used, strlen(escapes[_i].in));
}
END_TEST

/* Output too small: no escape or character is ever cut in two. */
START_TEST(escape_never_cuts_an_escape)
{
	const char	*in = "ab\n\xc3\xa9\x01";
	char		 out[16];
	size_t		 cap, n, used;

	for (cap = 1; cap < sizeof(out); cap++) {
		n = json_escape(out, cap, in, strlen(in), &used);
		ck_assert_uint_lt(n, cap);
		ck_assert_uint_eq(strlen(out), n);
		ck_assert(strncmp("ab\\n\xc3\xa9\\u0001", out, n) == 0);
		ck_assert(used == 0 || used == 1 || used == 2 || used == 3 ||
		    used == 5 || used == 6);
	}
}
END_TEST

/* Run log_fields() with stderr on a pipe; return the bytes written. */
static char *
logged(const struct log_field *f, size_t n, const char *msg)
{
	static char	 buf[8192];
	int		 p[2], saved;
	ssize_t		 len;

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	log_init("calcd", 1, 0);
	log_set_json(1);
	log_fields(f, n, "%s", msg);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	len = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	ck_assert_int_gt(len, 0);
	buf[len] = '\0';
	return buf;
}

/* One line, no raw control byte, balanced as an object. */
static void
assert_one_json_line(const char *line)
{
	size_t	 len = strlen(line), i;

	ck_assert_int_eq(line[0], '{');
	ck_assert_int_eq(line[len - 1], '\n');
	ck_assert_int_eq(line[len - 2], '}');
	for (i = 0; i < len - 1; i++)
		ck_assert_msg((unsigned char)line[i] >= 0x20 &&
		    line[i] != 0x7f, "raw byte 0x%02x at %zu", line[i], i);
}

START_TEST(hostile_fields_stay_one_line)
{
	const struct log_field	 f[] = {
		LOG_STR("listener", escapes[_i].in),
		LOG_STR("peer", "\n\n{\"forged\": true}\n"),
		LOG_NUM("requests", 7),
		LOG_BOOL("tls_resumed", 1),
	};
	char			 want[300], *line;

	line = logged(f, 4, escapes[_i].in);
	assert_one_json_line(line);
	snprintf(want, sizeof(want), "\"listener\": \"%s\", ", escapes[_i].out);
	ck_assert_msg(strstr(line, want) != NULL, "%s lacks %s", line, want);
	ck_assert(strstr(line, "\"peer\": \"\\n\\n{\\\"forged\\\": true}\\n\", "
	    "\"requests\": 7, \"tls_resumed\": true}") != NULL);
	ck_assert(strstr(line, "\"level\": \"info\"") != NULL);
}
END_TEST

/* A value longer than the line is cut short; the line still closes. */
START_TEST(long_field_is_cut_not_the_line)
{
	static char		 big[8000];
	struct log_field	 f[] = { LOG_STR("end", big) };
	char			*line;

	memset(big, '\n', sizeof(big) - 1);
	line = logged(f, 1, "x");
	assert_one_json_line(line);
	ck_assert_uint_le(strlen(line), 2048);
	ck_assert(strstr(line, "\"end\": \"\\n\\n") != NULL);
}
END_TEST

static Suite *
make_log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("Core");

	tcase_add_loop_test(tc, escape_gives_a_json_string_body, 0,
	    sizeof(escapes) / sizeof(escapes[0]));
	tcase_add_test(tc, escape_never_cuts_an_escape);
	tcase_add_loop_test(tc, hostile_fields_stay_one_line, 0,
	    sizeof(escapes) / sizeof(escapes[0]));
	tcase_add_test(tc, long_field_is_cut_not_the_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(make_log_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
