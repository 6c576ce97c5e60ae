/*
 * udp.h - the UDP worker: a child of the master that answers datagrams on
 * every udp listener, in batches, one answer datagram per request (the
 * protocol itself is datagram.h).
 */
#ifndef UDP_H
#define UDP_H

#include "child.h"

/* Run the UDP worker; never returns. */
void	udp_main(const struct child_env *env) __attribute__((noreturn));

#endif /* UDP_H */
