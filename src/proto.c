/*
 * proto.c - the table of listener protocols (see proto.h), and the glue
 * that gives each stream protocol its limits from the configuration.
 */
#include <sys/socket.h>

#include <string.h>

#include "conf.h"
#include "http.h"
#include "line.h"
#include "proto.h"

/* The line protocol's limits, from the configuration. */
static void
proto_line_conf(const struct proto_conn *pc, struct line_conf *lc,
    struct line_hooks *hooks)
{
	const struct conf	*conf = pc->conf;

	lc->max_line = conf->max_line;
	lc->idle_timeout_ms = conf->idle_timeout * 1000;
	lc->line_timeout_ms = conf->line_timeout * 1000;
	lc->calc = &conf->calc;
	hooks->state = pc->state;
	hooks->stopping = pc->stopping;
	hooks->arg = pc->arg;
}

static const char *
proto_serve_line(struct stream *st, const struct proto_conn *pc,
    struct proto_stats *stats)
{
	struct line_conf	 lc;
	struct line_hooks	 hooks;

	proto_line_conf(pc, &lc, &hooks);
	return line_end_name(line_serve(st, &lc, &hooks, stats));
}

/* HTTP's limits and hooks, from the configuration. */
static void
proto_http_conf(const struct proto_conn *pc, struct http_conf *hc,
    struct http_hooks *hooks)
{
	const struct conf	*conf = pc->conf;

	memset(hc, 0, sizeof(*hc));
	hc->max_uri = conf->http_max_uri;
	hc->max_header_size = conf->http_max_header_size;
	hc->max_headers = conf->http_max_headers;
	hc->max_body = conf->http_max_body;
	hc->header_timeout_ms = conf->http_header_timeout * 1000;
	hc->keepalive_timeout_ms = conf->http_keepalive_timeout * 1000;
	hc->body_timeout_ms = conf->http_body_timeout * 1000;
	hc->body_min_rate = conf->http_body_min_rate;
	hc->max_requests = conf->http_max_requests;
	hc->calc = &conf->calc;
	hc->listener = pc->listener;
	hc->client = pc->client;
	hc->metrics_allowed = pc->metrics_allowed;
	hooks->state = pc->state;
	hooks->stopping = pc->stopping;
	hooks->metrics = pc->metrics;
	hooks->arg = pc->arg;
}

static const char *
proto_serve_http(struct stream *st, const struct proto_conn *pc,
    struct proto_stats *stats)
{
	struct http_conf	 hc;
	struct http_hooks	 hooks;

	proto_http_conf(pc, &hc, &hooks);
	return http_end_name(http_serve(st, &hc, &hooks, stats));
}

static const struct proto proto_table[PROTO_COUNT] = {
	[PROTO_TCP] = {
		.name = "tcp", .port = 54321, .port_text = "54321",
		.socktype = SOCK_STREAM, .wire = PROTO_WIRE_LINE,
		.serve = proto_serve_line, .refuse = line_refuse,
	},
	[PROTO_TLS] = {
		.name = "tls", .port = 54322, .port_text = "54322",
		.socktype = SOCK_STREAM, .wire = PROTO_WIRE_LINE,
		.tls = 1, .client_first = 1,
		.serve = proto_serve_line,
	},
	[PROTO_HTTP] = {
		.name = "http", .port = 54380, .port_text = "54380",
		.socktype = SOCK_STREAM, .wire = PROTO_WIRE_HTTP,
		.client_first = 1,
		.serve = proto_serve_http, .refuse = http_refuse,
	},
	[PROTO_HTTPS] = {
		.name = "https", .port = 54443, .port_text = "54443",
		.socktype = SOCK_STREAM, .wire = PROTO_WIRE_HTTP,
		.tls = 1, .alpn = "http/1.1", .client_first = 1,
		.serve = proto_serve_http,
	},
	[PROTO_UDP] = {
		.name = "udp", .port = 54321, .port_text = "54321",
		.socktype = SOCK_DGRAM, .wire = PROTO_WIRE_DATAGRAM,
		.client_first = 1,
	},
};

const struct proto *
proto_get(int id)
{
	return &proto_table[id];
}

int
proto_find(const char *name)
{
	int	 id;

	for (id = 0; id < PROTO_COUNT; id++)
		if (strcmp(name, proto_table[id].name) == 0)
			return id;
	return -1;
}

const char *
proto_name(int id)
{
	return id >= 0 && id < PROTO_COUNT ? proto_table[id].name : "?";
}
