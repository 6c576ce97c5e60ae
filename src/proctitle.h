/*
 * proctitle.h - what ps(1) shows for each process ("calcd: master",
 * "calcd: worker tcp 192.0.2.7:40000"), as Postfix and OpenSSH show
 * theirs: the title is written over the memory of the argument vector.
 */
#ifndef PROCTITLE_H
#define PROCTITLE_H

/*
 * Take over the argument and environment strings of main(): the
 * environment is copied elsewhere first.  Call once, after the options
 * are read; argv must not be used afterwards.  Without it,
 * proctitle_set() does nothing.
 */
void	proctitle_init(int argc, char *argv[]);

/* Set the title: "calcd: " and the text. */
void	proctitle_set(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif /* PROCTITLE_H */
