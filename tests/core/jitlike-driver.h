/* jitlike-driver.h: runs tests/core/jitlike for the core dump tests
 * (test-plugin-coredump, test-cli-coredump) and takes its cores, from gdb's
 * gcore or from the kernel. Plain test support: every failure is a test
 * assertion or g_error(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The size of jitlike's RWX page. */
#define JITLIKE_PAGE_SIZE 4096

/* A line of /proc/PID/maps. */
typedef struct {
  guint64 start, end, offset;
  char perms[5];
  char *path;                   /* "" for anonymous memory */
} JitlikeMap;

/* A running (or stopped) jitlike. */
typedef struct {
  GPid pid;                     /* 0 once stopped */
  int in_fd;                    /* its stdin: closing it ends the program */
  guint64 page;                 /* its RWX page */
  GArray *maps;                 /* JitlikeMap, read while it ran; kept after it stops */
  char *exe;                    /* the program file that runs */
} JitlikeChild;

const char *jitlike_get_program (void);
void jitlike_expected_page (guint8 page[JITLIKE_PAGE_SIZE]);
void jitlike_copy_file (const char *from, const char *to);

void jitlike_child_start (JitlikeChild *child, const char *exe, const char *cwd,
                          gboolean allow_core);
int jitlike_child_stop (JitlikeChild *child, int sig);
void jitlike_child_clear (JitlikeChild *child);
char *jitlike_child_gcore (JitlikeChild *child, const char *dir);

char *jitlike_read_core_pattern (void);
gboolean jitlike_core_pattern_is_plain (const char *pattern);
char *jitlike_child_dump_kernel_core (JitlikeChild *child, const char *dir,
                                      const char *pattern);

G_END_DECLS
