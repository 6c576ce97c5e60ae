/*
 * worker.h - the stream worker: a child of the master that accepts one
 * connection at a time on every stream listener and serves it to the end
 * with its protocol's serve function (proto.h).
 */
#ifndef WORKER_H
#define WORKER_H

#include "child.h"

/* Run the worker; never returns. */
void	worker_main(const struct child_env *env) __attribute__((noreturn));

#endif /* WORKER_H */
