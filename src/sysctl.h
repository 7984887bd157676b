/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host settings a measurement changes (sysctls under /proc/sys), with the
 * values found at start kept so they can be written back on every exit:
 * normal end, error, SIGINT, SIGTERM, and fatal signals.  Restoring uses
 * only open, write and close, so a signal handler may call it.
 */
#ifndef PP_SYSCTL_H
#define PP_SYSCTL_H

/*
 * Records the current value of a sysctl ("net/ipv4/tcp_ecn") so that
 * sysctl_restore_all can put it back.  Returns 0, or -1 after logging why
 * (missing, or no permission to write it).
 */
int sysctl_save(const char *name);

/* Writes a value; returns 0, or -1 after logging why. */
int sysctl_write(const char *name, const char *value);

/* Reads a value into buf without its newline; returns 0 or -1. */
int sysctl_read(const char *name, char *buf, unsigned long len);

/* Writes back every saved value; safe in a signal handler. */
void sysctl_restore_all(void);

/* Logs which values were restored; not for signal handlers. */
void sysctl_report_restored(void);

#endif
